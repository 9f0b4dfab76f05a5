import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The OpenTelemetry API module, when the app installed it (an optional peer). */
export type Otel = typeof OtelApi;

let loaded: Otel | null | undefined;

/**
 * `@opentelemetry/api` loaded at first use, or `undefined` when it is not installed: it is an
 * optional peer of every package that traces, so a static import would break apps without it. Loaded
 * with `require`: the API keeps its registrations (tracer provider, context manager) on `globalThis`,
 * so this copy sees what the app registered through its own `import`. The one loader the outbox,
 * workers, idempotency and state-machine packages share.
 *
 * @example
 * ```ts
 * import { otel, tracerRegistered } from '@checkout/core';
 *
 * const api = otel();
 * if (api !== undefined && tracerRegistered(api)) {
 *   api.trace.getActiveSpan()?.addEvent('checkout.example');
 * }
 * ```
 */
export function otel(): Otel | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as Otel;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * Whether a tracer provider is registered (any but the API's no-op one). Without one no span would
 * record: callers skip span work and only pass the context on. The API registers a proxy whose
 * `getDelegate()` is the app's provider, or its no-op provider when there is none.
 */
export function tracerRegistered(api: Otel): boolean {
  const provider = api.trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  return (delegate as { constructor?: { name?: string } } | undefined)?.constructor?.name !== 'NoopTracerProvider';
}
