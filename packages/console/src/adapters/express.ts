import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationsConsole } from '../options.js';
import { toNodeHandler } from './node.js';

/** The part of an Express request the adapter reads (Express's `Request` satisfies it). */
export type ExpressRequestLike = IncomingMessage & { readonly originalUrl?: string };

/**
 * Adapts the console to Express (4 or 5): `app.use('/ops', toExpressMiddleware(opsConsole))` with
 * the console's `basePath` set to the same `/ops`. Reads `req.originalUrl` (the mount path kept),
 * answers every request under the mount and calls `next(error)` only if writing the response
 * fails. Needs no Express types: any `(req, res, next)` framework on Node's `http` works.
 *
 * @example
 * ```ts
 * import { createConsole } from '@checkout/console';
 * import { toExpressMiddleware } from '@checkout/console/express';
 *
 * declare const csrfSecret: string;
 * declare const app: { use(path: string, handler: ReturnType<typeof toExpressMiddleware>): void };
 *
 * const opsConsole = createConsole({
 *   basePath: '/ops',
 *   csrfSecret,
 *   authorize: () => ({ id: 'support:alice', canAct: false }),
 *   audit: () => {},
 * });
 * app.use('/ops', toExpressMiddleware(opsConsole));
 * ```
 */
export function toExpressMiddleware(
  opsConsole: OperationsConsole,
): (request: ExpressRequestLike, response: ServerResponse, next: (error?: unknown) => void) => void {
  const handler = toNodeHandler(opsConsole, {
    url: (request: ExpressRequestLike) => request.originalUrl ?? request.url,
  });
  return (request, response, next) => {
    handler(request, response).catch(next);
  };
}
