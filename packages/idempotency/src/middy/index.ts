export {
  type ApiEventLike,
  apiBodyFingerprint,
  apiIdempotencyKey,
  apiPrincipal,
  apiRoute,
  apiScope,
  IDEMPOTENCY_KEY_HEADER,
  isApiEvent,
} from './api-event.js';
export {
  createIdempotencyMiddleware,
  type IdempotencyHttpResponse,
  type IdempotencyMiddlewareOptions,
} from './idempotency-middleware.js';
