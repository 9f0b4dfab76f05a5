import { boundEcho } from '../api/bounded-echo.js';
import { checkout } from '../api/checkout.js';
import { getOrder } from '../api/get-order.js';
import { errorJson, errorResponse, type HttpResponse } from '../api/http-response.js';
import { requirePrincipal } from '../api/request-fields.js';
import { InvalidRequestError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/** The fields of an API Gateway (REST or HTTP API v1 payload) proxy event the service reads. */
export interface ApiGatewayProxyEventLike {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>> | null;
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: { readonly authorizer?: Readonly<Record<string, unknown>> | null };
}

/** An API Gateway proxy result. */
export interface ApiGatewayProxyResultLike {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function header(event: ApiGatewayProxyEventLike, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The authorizer's `principalId` when it is a string; anything else is no principal (401). */
function principalOf(event: ApiGatewayProxyEventLike): string | undefined {
  const principal = event.requestContext?.authorizer?.principalId;
  return typeof principal === 'string' ? principal : undefined;
}

/** Percent-decodes the `{id}` path segment; bad encoding is the client's mistake (400 naming `orderId`). */
function decodeOrderId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidRequestError([{ path: 'orderId', message: 'is not valid percent-encoded UTF-8' }]);
  }
}

function toResult(response: HttpResponse): ApiGatewayProxyResultLike {
  return { statusCode: response.status, headers: { ...response.headers }, body: JSON.stringify(response.body) };
}

/**
 * The API Lambda: `POST /checkout` and `GET /orders/{id}` over the framework-free `checkout` and
 * `getOrder`. The principal comes from the authorizer (`principalId`), never from the body; without
 * one both routes answer 401 (there is no shared fallback principal). Client mistakes are typed 4xx
 * whose bodies echo a bounded amount; unexpected errors answer 500 without details and are logged
 * with the method and a bounded path only.
 */
export function createApiHandler(
  deps: CheckoutDeps,
): (event: ApiGatewayProxyEventLike) => Promise<ApiGatewayProxyResultLike> {
  return async (event) => {
    try {
      if (event.httpMethod === 'POST' && event.path === '/checkout') {
        let body: unknown;
        try {
          const raw =
            event.isBase64Encoded === true ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
          body = JSON.parse(raw ?? '');
        } catch {
          return toResult(errorJson(400, 'INVALID_JSON', 'body is not JSON'));
        }
        return toResult(
          await checkout(deps, {
            idempotencyKey: header(event, 'Idempotency-Key'),
            principal: principalOf(event),
            body,
          }),
        );
      }
      const match = /^\/orders\/([^/]+)$/.exec(event.path);
      if (event.httpMethod === 'GET' && match?.[1] !== undefined) {
        // 401 before looking at the path: an unauthenticated caller learns nothing about ids.
        const principal = requirePrincipal(principalOf(event));
        return toResult(await getOrder(deps, { principal, orderId: decodeOrderId(match[1]) }));
      }
      return toResult(
        errorJson(404, 'NOT_FOUND', `no route for ${boundEcho(event.httpMethod)} ${boundEcho(event.path)}`),
      );
    } catch (error) {
      // Typed client errors raised here (a bad path segment) answer their 4xx like the routes' own.
      const mapped = errorResponse(error);
      if (mapped !== undefined) return toResult(mapped);
      // Quoted: a path with line breaks cannot forge log lines.
      console.error(
        'checkout api: unexpected error',
        JSON.stringify(boundEcho(event.httpMethod)),
        JSON.stringify(boundEcho(event.path)),
        error,
      );
      return toResult(errorJson(500, 'INTERNAL', 'internal error'));
    }
  };
}
