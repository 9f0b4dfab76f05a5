import type { OperationsConsole } from '../options.js';

/** The part of a Hono context the adapter reads (Hono's `Context` satisfies it). */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
}

/**
 * Adapts the console to Hono (any runtime): `app.all('/ops/*', toHonoHandler(opsConsole))` with the
 * console's `basePath` set to `/ops`. Hono already speaks `Request`/`Response`, so this only hands
 * over the raw request. Needs no Hono types.
 *
 * @example
 * ```ts
 * import { createConsole } from '@checkout/console';
 * import { toHonoHandler } from '@checkout/console/hono';
 *
 * declare const csrfSecret: string;
 * declare const app: { all(path: string, handler: ReturnType<typeof toHonoHandler>): void };
 *
 * const opsConsole = createConsole({
 *   basePath: '/ops',
 *   csrfSecret,
 *   authorize: () => ({ id: 'support:alice', canAct: false }),
 *   audit: () => {},
 * });
 * app.all('/ops/*', toHonoHandler(opsConsole));
 * ```
 */
export function toHonoHandler(opsConsole: OperationsConsole): (context: HonoContextLike) => Promise<Response> {
  return (context) => opsConsole.fetch(context.req.raw);
}
