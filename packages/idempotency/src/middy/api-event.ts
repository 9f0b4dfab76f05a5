/**
 * The parts of an HTTP Lambda event the defaults of `createIdempotencyMiddleware` read: API Gateway
 * REST (v1) and HTTP API (v2) proxy events, Lambda function URLs and ALB targets. Declared here so
 * the public types need no `@types/aws-lambda`; their event types are assignable to it.
 */
export interface ApiEventLike {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** The raw body, or what a body parser (e.g. `@middy/http-json-body-parser`) made of it. */
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  /** REST API and ALB. */
  readonly httpMethod?: string;
  /** REST API: the resource template (`/orders/{id}`). */
  readonly resource?: string;
  readonly path?: string;
  /** HTTP API and function URLs: `POST /checkout`. */
  readonly routeKey?: string;
  readonly requestContext?: unknown;
}

/** Header the default `key` reads (matched case-insensitively). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

type Bag = Readonly<Record<string, unknown>>;

const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * Whether `event` is an HTTP event: it has an `httpMethod` (API Gateway REST, ALB) or a
 * `requestContext.http.method` (API Gateway HTTP API, function URLs).
 *
 * @example
 * ```ts
 * import { isApiEvent } from '@checkout/idempotency/middy';
 *
 * isApiEvent({ httpMethod: 'POST', headers: {} }); // true
 * isApiEvent({ Records: [] }); // false (an SQS event)
 * ```
 */
export function isApiEvent(event: unknown): boolean {
  if (!isBag(event)) return false;
  if (typeof event.httpMethod === 'string') return true;
  const context = event.requestContext;
  return isBag(context) && isBag(context.http) && typeof context.http.method === 'string';
}

/**
 * The `Idempotency-Key` header of an HTTP event, whatever its case (HTTP APIs lower-case header
 * names, REST APIs keep them), or `undefined`.
 *
 * @example
 * ```ts
 * import { apiIdempotencyKey } from '@checkout/idempotency/middy';
 *
 * apiIdempotencyKey({ headers: { 'idempotency-key': 'k-1' } }); // 'k-1'
 * ```
 */
export function apiIdempotencyKey(event: unknown): string | undefined {
  if (!isBag(event) || !isBag(event.headers)) return undefined;
  const wanted = IDEMPOTENCY_KEY_HEADER.toLowerCase();
  for (const [name, value] of Object.entries(event.headers)) {
    if (name.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * Who is calling, from the authorizer API Gateway ran: the `sub` claim of an HTTP API JWT
 * authorizer (`requestContext.authorizer.jwt.claims.sub`), else of a REST API Cognito authorizer
 * (`requestContext.authorizer.claims.sub`), else a REST Lambda authorizer's
 * `requestContext.authorizer.principalId`; `undefined` when the request was not authorized.
 *
 * @example
 * ```ts
 * import { apiPrincipal } from '@checkout/idempotency/middy';
 *
 * apiPrincipal({ requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } } }); // 'user-1'
 * ```
 */
export function apiPrincipal(event: unknown): string | undefined {
  if (!isBag(event) || !isBag(event.requestContext)) return undefined;
  const authorizer = event.requestContext.authorizer;
  if (!isBag(authorizer)) return undefined;
  const jwtClaims = isBag(authorizer.jwt) && isBag(authorizer.jwt.claims) ? authorizer.jwt.claims : undefined;
  const cognitoClaims = isBag(authorizer.claims) ? authorizer.claims : undefined;
  return nonEmpty(jwtClaims?.sub) ?? nonEmpty(cognitoClaims?.sub) ?? nonEmpty(authorizer.principalId);
}

/**
 * The route of an HTTP event: `routeKey` (HTTP API, function URLs: `POST /checkout`), else
 * `<httpMethod> <resource>` (REST API: `POST /orders/{id}`; ALB: the path), else `undefined`.
 */
export function apiRoute(event: unknown): string | undefined {
  if (!isBag(event)) return undefined;
  const routeKey = nonEmpty(event.routeKey);
  if (routeKey !== undefined) return routeKey;
  const method = nonEmpty(event.httpMethod);
  const resource = nonEmpty(event.resource) ?? nonEmpty(event.path);
  return method === undefined ? undefined : `${method} ${resource ?? '/'}`;
}

/**
 * The default scope: `<principal>:<route>` (see {@link apiPrincipal}), so a key belongs to one
 * caller and one endpoint; `undefined` (a 400 naming `scope`) when the request has no principal.
 *
 * @example
 * ```ts
 * import { apiScope } from '@checkout/idempotency/middy';
 *
 * apiScope({
 *   routeKey: 'POST /checkout',
 *   requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } },
 * }); // 'user-1:POST /checkout'
 * ```
 */
export function apiScope(event: unknown): string | undefined {
  const principal = apiPrincipal(event);
  if (principal === undefined) return undefined;
  const route = apiRoute(event);
  return route === undefined ? principal : `${principal}:${route}`;
}

/**
 * The default fingerprint: the request body by content. A JSON body counts by its parsed value
 * (key order and whitespace do not matter, and a body already parsed by a body-parser middleware
 * fingerprints the same), any other text as text, a base64 body as its base64 text, no body as
 * `null`. Headers, query strings and request ids are not part of it.
 *
 * @example
 * ```ts
 * import { apiBodyFingerprint } from '@checkout/idempotency/middy';
 *
 * apiBodyFingerprint({ body: '{"b":1,"a":2}' }); // { json: { b: 1, a: 2 } }: same as '{"a":2,"b":1}'
 * ```
 */
export function apiBodyFingerprint(event: unknown): unknown {
  if (!isBag(event)) return null;
  const body = event.body;
  if (body === undefined || body === null) return null;
  if (typeof body !== 'string') return { json: body };
  if (event.isBase64Encoded === true) return { base64: body };
  try {
    return { json: JSON.parse(body) as unknown };
  } catch {
    return { text: body };
  }
}
