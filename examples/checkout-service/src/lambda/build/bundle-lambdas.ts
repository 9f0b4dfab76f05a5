import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '../handlers.js';

/** The example package's root (`examples/checkout-service`). */
export const EXAMPLE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where `pnpm build:lambda` writes `<handler>/index.mjs` (git-ignored). */
export const LAMBDA_DIST = join(EXAMPLE_ROOT, 'dist', 'lambda');

/** One bundle written by {@link bundleLambdas}. */
export interface LambdaBundle {
  readonly handler: LambdaHandlerName;
  /** `<outDir>/<handler>` (the asset directory the CDK app points the function at). */
  readonly dir: string;
  /** Size of `index.mjs` in bytes (the source map is beside it, not counted). */
  readonly bytes: number;
}

/**
 * Bundles every entry of `LAMBDA_HANDLERS` (`src/lambda/<handler>.ts`) into
 * `<outDir>/<handler>/index.mjs` with its source map:
 * - esbuild, ESM, `node22` (runs on the `nodejs22.x` and `nodejs24.x` runtimes), minified and
 *   tree-shaken; workspace packages are bundled from their TypeScript source.
 * - The AWS SDK v3 is **bundled**, not taken from the runtime: the function runs the exact SDK
 *   version the tests ran (the runtime's copy changes under you), and only the commands used are
 *   included, which loads faster than the runtime's full clients.
 * - CommonJS dependencies (`pg`) get a `require` from `createRequire` (ESM has none).
 */
export async function bundleLambdas(
  options: { readonly outDir?: string; readonly handlers?: readonly LambdaHandlerName[] } = {},
): Promise<LambdaBundle[]> {
  const outDir = options.outDir ?? LAMBDA_DIST;
  const handlers = options.handlers ?? LAMBDA_HANDLERS;
  const bundles: LambdaBundle[] = [];
  await Promise.all(
    handlers.map(async (handler) => {
      const dir = join(outDir, handler);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await build({
        entryPoints: [join(EXAMPLE_ROOT, 'src', 'lambda', `${handler}.ts`)],
        outfile: join(dir, 'index.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        conditions: ['@checkout/source'],
        mainFields: ['module', 'main'],
        minify: true,
        treeShaking: true,
        // Error class names survive minification (logs and `error.name` checks stay readable).
        keepNames: true,
        sourcemap: 'linked',
        sourcesContent: false,
        legalComments: 'none',
        logLevel: 'warning',
        // pg's optional native binding and its Cloudflare socket shim are never loaded on Lambda.
        external: ['pg-native', 'cloudflare:sockets'],
        banner: {
          js: "import { createRequire as __checkoutCreateRequire } from 'node:module'; const require = __checkoutCreateRequire(import.meta.url);",
        },
      });
      bundles.push({ handler, dir, bytes: statSync(join(dir, 'index.mjs')).size });
    }),
  );
  return bundles.sort((a, b) => handlers.indexOf(a.handler) - handlers.indexOf(b.handler));
}
