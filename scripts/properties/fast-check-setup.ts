// Vitest setup file of every project (vitest.config.ts): fast-check's global settings for the run.
// `pnpm test:properties --runs N` sets CHECKOUT_PROP_RUNS (runs of a property with the default of
// 100); CHECKOUT_PROP_SEED and CHECKOUT_PROP_PATH replay a failure that fast-check printed. A
// property with its own `numRuns` reads it through `propertyRuns(n)` (@checkout/testing/vitest), so
// it scales with the same variable. See docs/testing.md. Without those variables nothing is loaded,
// so a plain `pnpm test` pays nothing for this file.
const variables = ['CHECKOUT_PROP_RUNS', 'CHECKOUT_PROP_SEED', 'CHECKOUT_PROP_PATH'];
if (variables.some((name) => (process.env[name] ?? '') !== '')) {
  // The module itself, not the @checkout/testing/vitest entry (that one loads the stack's code).
  const { propertyReplay, propertyRuns } = await import('../../packages/testing/src/vitest/property-runs.ts');
  const { default: fc } = await import('fast-check');
  fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: propertyRuns(100), ...propertyReplay() });
}
