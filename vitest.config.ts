import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package (packages/* and examples/*), found on disk so that a new
// package needs no edit here. Every project extends this file: tests import workspace packages by
// name and resolve them to their TypeScript source through the `@checkout/source` export condition,
// so `pnpm test` needs no build.
const sourceCondition = '@checkout/source';
// An example's CDK app (`examples/<name>/infra`) is its own package and project too.
const projectDirs = ['packages', 'examples']
  .flatMap((parent) =>
    existsSync(parent)
      ? readdirSync(parent, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .flatMap((entry) => [join(parent, entry.name), join(parent, entry.name, 'infra')])
      : [],
  )
  .filter((dir) => existsSync(join(dir, 'package.json')));
// Property files are `*.prop.test.ts` (they run in `pnpm test` too); `pnpm test:properties`
// (scripts/test-properties.mjs) sets CHECKOUT_PROP_ONLY to run only them.
const propertiesOnly = process.env.CHECKOUT_PROP_ONLY === '1';
const include = propertiesOnly
  ? ['src/**/*.prop.test.ts', 'test/**/*.prop.test.ts']
  : ['src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  // No 'module' condition: it would send the AWS SDK to its bundler-only dist-es build.
  ssr: { resolve: { conditions: [sourceCondition, 'node', 'development|production'] } },
  // The global setup runs in vitest's own `__vitest__` environment: it imports @checkout/testing,
  // which imports @checkout/core, from source too.
  environments: { __vitest__: { resolve: { conditions: [sourceCondition, 'node', 'development|production'] } } },
  test: {
    // Starts Postgres, DynamoDB Local and the SQS emulator once per run; tests read the endpoints
    // with `inject('checkoutStack')` (see @checkout/testing/vitest).
    globalSetup: ['./packages/testing/src/vitest/global-setup.ts'],
    // fast-check's runs, seed and path for the run (CHECKOUT_PROP_RUNS / _SEED / _PATH).
    setupFiles: [fileURLToPath(new URL('./scripts/properties/fast-check-setup.ts', import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      ...projectDirs.map((dir) => ({
        extends: true as const,
        test: {
          // packages/cdk -> cdk, examples/checkout-service/infra -> checkout-service-infra
          name: dir.split('/').slice(1).join('-'),
          root: dir,
          include,
        },
      })),
      // `pnpm test:browser` (scripts/test-browser.mjs sets CHECKOUT_BROWSER=1): the operations console
      // driven by Debian's chromium against the example on the local stack. Not part of `pnpm test`.
      ...(process.env.CHECKOUT_BROWSER === '1'
        ? [
            {
              extends: true as const,
              test: { name: 'browser', root: 'examples/checkout-service', include: ['src/**/*.browser.ts'] },
            },
          ]
        : []),
      // The repository's own tooling (scripts/conventions): plain Node, no stack (does not extend this file).
      {
        test: { name: 'scripts', root: 'scripts', include: propertiesOnly ? ['**/*.prop.test.ts'] : ['**/*.test.ts'] },
      },
    ],
  },
});
