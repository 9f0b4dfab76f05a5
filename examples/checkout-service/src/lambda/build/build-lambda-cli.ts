// `pnpm --filter @checkout/example-checkout-service build:lambda`: writes dist/lambda/<handler>/index.mjs
// for every handler of src/lambda/handlers.ts. Optional argv: handler names to build only those.
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '../handlers.js';
import { bundleLambdas, LAMBDA_DIST } from './bundle-lambdas.js';

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(LAMBDA_HANDLERS as readonly string[]).includes(name)) {
    console.error(`unknown handler ${name}; one of: ${LAMBDA_HANDLERS.join(', ')}`);
    process.exit(2);
  }
}
const started = performance.now();
const bundles = await bundleLambdas(wanted.length === 0 ? {} : { handlers: wanted as LambdaHandlerName[] });
for (const bundle of bundles)
  console.log(`${bundle.handler.padEnd(22)} ${(bundle.bytes / 1024).toFixed(0).padStart(6)} KiB`);
console.log(`${bundles.length} bundles -> ${LAMBDA_DIST} in ${Math.round(performance.now() - started)} ms`);
