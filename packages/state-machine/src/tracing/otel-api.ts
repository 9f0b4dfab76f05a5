import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The OpenTelemetry API module, when the app installed it (an optional peer). */
export type Otel = typeof OtelApi;

let loaded: Otel | null | undefined;

/**
 * `@opentelemetry/api` loaded at first use, or `undefined` when it is not installed: it is an
 * optional peer, so a static import would break apps without it. Loaded with `require`: the API keeps
 * its registrations (tracer provider, context manager) on `globalThis`, so this copy sees what the
 * app registered through its own `import`.
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
