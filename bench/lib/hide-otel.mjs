// `node --import ./bench/lib/hide-otel.mjs ...`: makes `@opentelemetry/api` unresolvable, as in an app
// that does not install it (the optional peer absent): checkout-kit then skips every tracing step.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@opentelemetry/api' || specifier.startsWith('@opentelemetry/api/')) {
      throw Object.assign(new Error(`Cannot find module '${specifier}' (hidden by the tracing bench)`), {
        code: 'MODULE_NOT_FOUND',
      });
    }
    return nextResolve(specifier, context);
  },
});
