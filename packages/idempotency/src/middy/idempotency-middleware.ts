import { type LambdaContextLike, toHttpResponse } from '@checkout/core';
import type { MiddlewareObj, Request } from '@middy/core';
import { type IdempotentResult, settleExisting, startAttempt } from '../core/attempt.js';
import { DEFAULT_LEASE_MS, leaseMsFor } from '../core/lease.js';
import { type IdempotencyPolicyOptions, resolvePolicy, wholeMs } from '../core/policy.js';
import { completeAttempt, releaseQuietly, rememberQuietly } from '../core/with-idempotency.js';
import { IdempotencyConfigError, IdempotencyError } from '../errors.js';
import { replayHeaders } from '../http/replay-headers.js';
import type { AcquireRequest, IdempotencyStore } from '../store/idempotency-store.js';
import { type ApiEventLike, apiBodyFingerprint, apiIdempotencyKey, apiScope, isApiEvent } from './api-event.js';

/** Options of {@link createIdempotencyMiddleware}. `TEvent` is the Lambda event, `TResult` the handler's response. */
export interface IdempotencyMiddlewareOptions<TEvent = ApiEventLike, TResult = unknown>
  extends IdempotencyPolicyOptions<TResult> {
  /** Where records live (memory, DynamoDB or Postgres store). */
  readonly store: IdempotencyStore;
  /**
   * Who and what a key belongs to. Default `<principal>:<route>` of an API Gateway event
   * (`apiScope`: the JWT `sub` claim, then `POST /checkout`); a request without a principal is
   * refused with a 400 naming `scope`, so give your own for unauthenticated routes or other events.
   */
  readonly scope?: string | ((event: TEvent, context: LambdaContextLike) => string | undefined);
  /** The caller's key. Default: the `Idempotency-Key` header, any case (`apiIdempotencyKey`). */
  readonly key?: (event: TEvent, context: LambdaContextLike) => string | undefined;
  /** What must match on a retry. Default: the body by content (`apiBodyFingerprint`). */
  readonly fingerprint?: (event: TEvent, context: LambdaContextLike) => unknown;
  /**
   * A request without a key (`key` returned `undefined`): `'reject'` (default) answers 400
   * (`IdempotencyKeyError`, `field: 'key'`); `'run'` runs the handler without idempotency.
   */
  readonly missingKey?: 'reject' | 'run';
  /**
   * Answer our errors (400 bad key, 409 in progress + `Retry-After`, 422 key reused, 500s) with
   * `toHttpResponse` of `@checkout/core` as `{ statusCode, headers, body }` instead of throwing them.
   * Default: for HTTP events (`isApiEvent`), not for others. Errors of your handler are never mapped.
   */
  readonly httpErrors?: boolean;
  /** In-progress lease when the context has no `getRemainingTimeInMillis`, in milliseconds. Default 60 000. */
  readonly inProgressLeaseMs?: number;
}

/** The HTTP answer of our errors, as API Gateway, function URLs and ALB take it. */
export interface IdempotencyHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Context = Request['context'];

/**
 * An idempotent-handler middleware for Middy (`@middy/core` 7): one handler run per (scope, key).
 *
 * - `before`: validates the key, scope and fingerprint and claims the key (one store write). A
 *   retry of a completed request gets the stored response at once (the handler does not run; an
 *   HTTP response gains `Idempotent-Replayed: true`); a retry while the first still runs gets 409
 *   with `Retry-After`, a reused key with another body 422, a missing or malformed key 400.
 * - `after`: stores the response (the stored shape is what the caller gets, on the first call too).
 * - `onError`: your handler (or a later middleware) threw: the key is released so a retry runs
 *   (or, with `rememberErrors`, the error is stored and thrown again on every replay).
 *
 * The lease ends when the invocation would time out (`context.getRemainingTimeInMillis()`), so a
 * crashed or timed-out attempt frees the key for the next retry. Our errors are answered with
 * core's `toHttpResponse` for HTTP events (`httpErrors`), or thrown to your error handling.
 * Options are checked here (`IdempotencyConfigError` naming the option).
 *
 * Use it last, right before `.handler(...)`: its `onError` then runs first, so the key is always
 * released when the handler throws (an outer error handler that returns early cannot skip it),
 * and our 409/422/400 answers still pass through the outer `onError` middlewares (CORS headers,
 * loggers). What its `after` sees (the handler's response) is what is stored; a replay returns it
 * early, which in Middy skips the handler and every `after` middleware: add headers a replay must
 * carry in the handler, or in a middleware used after this one.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createDynamoDbIdempotencyStore } from '@checkout/idempotency/dynamodb';
 * import { createIdempotencyMiddleware } from '@checkout/idempotency/middy';
 * import middy from '@middy/core';
 *
 * declare function placeOrder(body: unknown): Promise<{ orderId: string }>;
 *
 * const store = createDynamoDbIdempotencyStore({ client: new DynamoDBClient({}), tableName: 'checkout-idempotency' });
 *
 * // The Lambda handler (export it from your handler module).
 * const handler = middy()
 *   .use(createIdempotencyMiddleware({ store, ttlSeconds: 24 * 3600 }))
 *   .handler(async (event) => {
 *     const order = await placeOrder(JSON.parse(String(event.body ?? '{}')));
 *     return { statusCode: 201, body: JSON.stringify(order) };
 *   });
 * console.log(typeof handler);
 * ```
 */
export function createIdempotencyMiddleware<TEvent = ApiEventLike, TResult = unknown>(
  options: IdempotencyMiddlewareOptions<TEvent, TResult>,
): MiddlewareObj<TEvent, TResult> {
  const policy = resolvePolicy(options);
  const leaseMs = wholeMs('inProgressLeaseMs', options.inProgressLeaseMs ?? DEFAULT_LEASE_MS);
  if (typeof options.store?.acquire !== 'function') {
    throw new IdempotencyConfigError(['store'], 'is not an IdempotencyStore');
  }
  const { scope } = options;
  if (scope !== undefined && typeof scope !== 'string' && typeof scope !== 'function') {
    throw new IdempotencyConfigError(['scope'], 'must be a string or a function of (event, context)');
  }
  for (const name of ['key', 'fingerprint'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new IdempotencyConfigError([name], 'must be a function of (event, context)');
    }
  }
  const missingKey = options.missingKey ?? 'reject';
  if (missingKey !== 'reject' && missingKey !== 'run') {
    throw new IdempotencyConfigError(['missingKey'], "must be 'reject' or 'run'");
  }
  if (options.httpErrors !== undefined && typeof options.httpErrors !== 'boolean') {
    throw new IdempotencyConfigError(['httpErrors'], 'must be a boolean');
  }
  const { store } = options;
  const keyOf = options.key ?? ((event: TEvent) => apiIdempotencyKey(event));
  const scopeOf =
    scope === undefined ? (event: TEvent) => apiScope(event) : typeof scope === 'string' ? () => scope : scope;
  const fingerprintOf = options.fingerprint ?? ((event: TEvent) => apiBodyFingerprint(event));
  const answersHttp = (event: TEvent) => options.httpErrors ?? isApiEvent(event);
  // The attempt each request holds between `before` and `after` / `onError` (a request object per invocation).
  const held = new WeakMap<object, AcquireRequest>();

  return {
    name: 'checkout-idempotency',
    before: async (request) => {
      const { event } = request;
      const context = contextOf(request.context);
      const key = keyOf(event, context);
      if (key === undefined && missingKey === 'run') return undefined;
      const attempt = startAttempt(policy, {
        scope: scopeOf(event, context),
        key,
        payload: fingerprintOf(event, context),
        leaseMs: leaseMsFor(leaseMs, hasDeadline(request.context) ? request.context : undefined),
      });
      const acquired = await store.acquire(attempt);
      if (acquired.acquired) {
        held.set(request, attempt);
        return undefined;
      }
      // Throws the 422 / 409 / remembered error; else the stored response, returned early.
      const replayed = settleExisting(policy, attempt, acquired.existing);
      const response = answersHttp(event) ? withReplayHeader(replayed) : replayed.value;
      request.earlyResponse = response;
      return response;
    },
    after: async (request) => {
      const attempt = held.get(request);
      if (attempt === undefined) return;
      // From here the handler's side effects happened: the key is never released again.
      held.delete(request);
      request.response = await completeAttempt(store, policy, attempt, request.response as TResult);
    },
    onError: async (request) => {
      const attempt = held.get(request);
      if (attempt !== undefined) {
        held.delete(request);
        if (policy.rememberErrors(request.error)) await rememberQuietly(store, policy, attempt, request.error);
        else await releaseQuietly(store, attempt);
      }
      if (request.response === undefined && request.error instanceof IdempotencyError && answersHttp(request.event)) {
        // Set, not returned: outer onError middlewares (CORS headers, loggers) still run.
        request.response = httpResponseOf(request.error) as TResult;
      }
    },
  };
}

function hasDeadline(context: Context): context is Context & LambdaContextLike {
  return typeof (context as Partial<LambdaContextLike> | undefined)?.getRemainingTimeInMillis === 'function';
}

// Middy passes `{}` when invoked without a context (tests, containers).
function contextOf(context: Context): LambdaContextLike {
  return hasDeadline(context) ? context : (context as unknown as LambdaContextLike);
}

function httpResponseOf(error: IdempotencyError): IdempotencyHttpResponse {
  const mapped = toHttpResponse(error);
  // toHttpResponse maps every CheckoutError; the fallback only keeps the types total.
  if (mapped === undefined) return { statusCode: 500, headers: {}, body: '{"error":{"code":"INTERNAL"}}' };
  return { statusCode: mapped.status, headers: { ...mapped.headers }, body: mapped.body };
}

function withReplayHeader<R>(result: IdempotentResult<R>): R {
  const value = result.value as unknown;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { statusCode?: unknown }).statusCode !== 'number'
  ) {
    return result.value;
  }
  const response = value as { headers?: Record<string, unknown> };
  return { ...response, headers: { ...(response.headers ?? {}), ...replayHeaders(result) } } as R;
}
