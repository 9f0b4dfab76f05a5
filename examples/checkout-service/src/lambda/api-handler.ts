import { checkout } from '../api/checkout.js';
import { getOrder } from '../api/get-order.js';
import { type HttpResponse, json } from '../api/http-response.js';
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

function toResult(response: HttpResponse): ApiGatewayProxyResultLike {
  return { statusCode: response.status, headers: { ...response.headers }, body: JSON.stringify(response.body) };
}

/**
 * The API Lambda: `POST /checkout` and `GET /orders/{id}` over the framework-free `checkout` and
 * `getOrder`. The principal comes from the authorizer (`principalId`), never from the body.
 * Unexpected errors answer 500 without details and are logged with the request path only.
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
          return toResult(json(400, { error: { code: 'INVALID_JSON', message: 'body is not JSON' } }));
        }
        const principal = event.requestContext?.authorizer?.principalId;
        return toResult(
          await checkout(deps, {
            idempotencyKey: header(event, 'Idempotency-Key'),
            principal: typeof principal === 'string' && principal.length > 0 ? principal : 'anonymous',
            body,
          }),
        );
      }
      const match = /^\/orders\/([^/]+)$/.exec(event.path);
      if (event.httpMethod === 'GET' && match?.[1] !== undefined) {
        return toResult(await getOrder(deps, decodeURIComponent(match[1])));
      }
      return toResult(json(404, { error: { code: 'NOT_FOUND', message: `${event.httpMethod} ${event.path}` } }));
    } catch (error) {
      console.error('checkout api: unexpected error', event.httpMethod, event.path, error);
      return toResult(json(500, { error: { code: 'INTERNAL', message: 'internal error' } }));
    }
  };
}
