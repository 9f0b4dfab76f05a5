import { boundEcho } from '../api/bounded-echo.js';
import { checkout } from '../api/checkout.js';
import { getOrder } from '../api/get-order.js';
import { errorJson, errorResponse, type HttpResponse } from '../api/http-response.js';
import { requireIdempotencyKey, requirePrincipal } from '../api/request-fields.js';
import { InvalidRequestError } from '../errors.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/**
 * The fields of an API Gateway proxy event the service reads, in either payload format: 1.0 (REST
 * API, or HTTP API set to 1.0: `httpMethod`, `path`) or 2.0 (the HTTP API default, which the CDK
 * app uses: `requestContext.http.method`, `rawPath`). Everything is checked at run time: an event
 * is untrusted input like any other, so the handler takes `unknown` and reads these fields one by
 * one; this type documents them (and types the events a caller builds).
 */
export interface ApiGatewayProxyEventLike {
  /** Payload 1.0. */
  readonly httpMethod?: string;
  /** Payload 1.0. */
  readonly path?: string;
  /** Payload 2.0 (`'2.0'`). */
  readonly version?: string;
  /** Payload 2.0: the path as sent, still percent-encoded. */
  readonly rawPath?: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext?: {
    /** Payload 2.0. */
    readonly http?: { readonly method?: string };
    /**
     * 1.0: a Lambda authorizer's `principalId`. 2.0: `jwt.claims.sub` (JWT authorizer) or
     * `lambda.principalId` (the context a Lambda authorizer returns).
     */
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
}

/** An API Gateway proxy result. */
export interface ApiGatewayProxyResultLike {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The value of header `name`, matched case-insensitively. Two entries differing only in case with
 * different values are ambiguous (which one would the idempotency scope use?): a 400 naming the
 * header, never a silent pick.
 */
function header(event: unknown, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const headers = field(event, 'headers');
  if (typeof headers !== 'object' || headers === null) return undefined;
  let found: unknown;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (found !== undefined && found !== value) {
      throw new InvalidRequestError([{ path: name, message: 'is given more than once with different values' }]);
    }
    found = value;
  }
  return typeof found === 'string' ? found : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function field(record: unknown, name: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[name] : undefined;
}

/** Method and path of either payload format ('' when absent: no route matches). */
function routeOf(event: unknown): { readonly method: string; readonly path: string } {
  const method = stringOr(
    field(event, 'httpMethod'),
    stringOr(field(field(field(event, 'requestContext'), 'http'), 'method'), ''),
  );
  return { method, path: stringOr(field(event, 'path'), stringOr(field(event, 'rawPath'), '')) };
}

/**
 * The principal the authorizer established: payload 1.0 `principalId`, or payload 2.0
 * `jwt.claims.sub` / `lambda.principalId`, the first one present. A present claim that is not a
 * string (a number, an object, an array) is no principal (401), not a reason to look at the next
 * one; the body and headers are never consulted.
 */
function principalOf(event: unknown): string | undefined {
  const authorizer = field(field(event, 'requestContext'), 'authorizer');
  for (const candidate of [
    field(authorizer, 'principalId'),
    field(field(field(authorizer, 'jwt'), 'claims'), 'sub'),
    field(field(authorizer, 'lambda'), 'principalId'),
  ]) {
    if (candidate !== undefined && candidate !== null) return typeof candidate === 'string' ? candidate : undefined;
  }
  return undefined;
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
 * `getOrder`, for payload format 1.0 and 2.0 (an `ApiGatewayProxyEventLike`; any other value, even
 * `null` or a string, answers 404). The principal comes from the authorizer
 * (`principalId`, or 2.0's `jwt.claims.sub` / `lambda.principalId`), never from the body; without
 * one both routes answer 401 (there is no shared fallback principal). Client mistakes are typed 4xx
 * whose bodies echo a bounded amount; unexpected errors answer 500 without details and are logged
 * with the method and a bounded path only.
 */
export function createApiHandler(deps: CheckoutDeps): (event: unknown) => Promise<ApiGatewayProxyResultLike> {
  return async (event) => {
    const { method, path } = routeOf(event);
    try {
      if (method === 'POST' && path === '/checkout') {
        // Who, then which key, then the body: an unauthenticated caller gets 401 whatever it sent.
        const principal = requirePrincipal(principalOf(event));
        const idempotencyKey = requireIdempotencyKey(header(event, 'Idempotency-Key'));
        let body: unknown;
        try {
          const raw =
            field(event, 'isBase64Encoded') === true
              ? Buffer.from(stringOr(field(event, 'body'), ''), 'base64').toString('utf8')
              : field(event, 'body');
          body = JSON.parse(stringOr(raw, ''));
        } catch {
          return toResult(errorJson(400, 'INVALID_JSON', 'body is not JSON'));
        }
        return toResult(await checkout(deps, { idempotencyKey, principal, body }));
      }
      const match = /^\/orders\/([^/]+)$/.exec(path);
      if (method === 'GET' && match?.[1] !== undefined) {
        // 401 before looking at the path: an unauthenticated caller learns nothing about ids.
        const principal = requirePrincipal(principalOf(event));
        return toResult(await getOrder(deps, { principal, orderId: decodeOrderId(match[1]) }));
      }
      return toResult(errorJson(404, 'NOT_FOUND', `no route for ${boundEcho(method)} ${boundEcho(path)}`));
    } catch (error) {
      // Typed client errors raised here (a bad path segment) answer their 4xx like the routes' own.
      const mapped = errorResponse(error);
      if (mapped !== undefined) return toResult(mapped);
      // Quoted: a path with line breaks cannot forge log lines.
      console.error(
        'checkout api: unexpected error',
        JSON.stringify(boundEcho(method)),
        JSON.stringify(boundEcho(path)),
        error,
      );
      return toResult(errorJson(500, 'INTERNAL', 'internal error'));
    }
  };
}
