// pnpm bench lambda: per Lambda bundle of the example (`build:lambda`, built afresh here), its size and
// the cold start as Lambda pays it: a fresh Node process imports the bundle (its init: clients, pool,
// secret read) and handles a first event, next to a minimal handler bundle measured the same way.
// First events touch no backend, so only our code is timed: the APIs get an unauthenticated request
// (401), the workers an empty SQS batch; the relay and the sweeper (whose first event is all I/O) are
// timed on import only. Median of 5 fresh processes each. The payment worker's init reads its API key
// from Secrets Manager: a local endpoint answers it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleLambdas } from '../examples/checkout-service/src/lambda/build/bundle-lambdas.ts';
import { LAMBDA_HANDLERS } from '../examples/checkout-service/src/lambda/handlers.ts';
import { type BenchResult, percentile, writeReport } from './lib/report.ts';

const RUNS = Number(process.argv[2] ?? 5);
const outDir = mkdtempSync(join(tmpdir(), 'checkout-lambda-bench-'));
const secrets = createServer((_req, res) => {
  res
    .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
    .end(JSON.stringify({ ARN: 'arn:local', Name: 'local', SecretString: 'bench-key', VersionId: 'v' }));
});
await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
const secretsUrl = `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`;

try {
  const bundles = await bundleLambdas({ outDir });
  const minimalDir = join(outDir, 'minimal');
  mkdirSync(minimalDir, { recursive: true });
  writeFileSync(
    join(minimalDir, 'index.mjs'),
    'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ ok: event !== undefined }) });\n',
  );

  const queue = 'https://sqs.us-east-1.amazonaws.com/000000000000/bench';
  const environment: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
    CHECKOUT_DB_HOST: '127.0.0.1',
    CHECKOUT_DB_PORT: '5432',
    CHECKOUT_DB_NAME: 'checkout',
    CHECKOUT_DB_USER: 'checkout_app',
    CHECKOUT_DB_AUTH: 'iam',
    CHECKOUT_QUEUE_URL: queue,
    CHECKOUT_DLQ_URL: `${queue}-dlq`,
    CHECKOUT_TABLE_INVENTORY: 'inventory',
    PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
    PAYMENT_PROVIDER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:payment',
    EMAIL_PROVIDER_URL: 'http://127.0.0.1:9',
    OUTBOX_DESTINATIONS: JSON.stringify({ payment: queue }),
    OUTBOX_RELAY_RUN_FOR_MS: '50000',
    OUTBOX_METRIC_NAMESPACE: 'CheckoutKit/Outbox',
    OUTBOX_METRIC_SERVICE: 'checkout',
  };
  const apiEvent = {
    version: '2.0',
    routeKey: 'POST /checkout',
    rawPath: '/checkout',
    headers: {},
    requestContext: { http: { method: 'POST', path: '/checkout' } },
    body: '{}',
    isBase64Encoded: false,
  };
  const firstEvent = (handler: string): unknown => {
    if (handler.endsWith('-api'))
      return { ...apiEvent, rawPath: handler === 'reporting-api' ? '/reports/daily' : '/checkout' };
    if (handler.endsWith('-worker')) return { Records: [] };
    return undefined; // relay, sweeper: import only
  };

  /** One fresh process: import, then the first event; times in ms. */
  // Async: the local Secrets Manager endpoint is served by this process while the child starts.
  const measure = async (file: string, event: unknown): Promise<{ importMs: number; firstEventMs: number }> => {
    const script = `
      const t0 = performance.now();
      const m = await import(${JSON.stringify(`file://${file}`)});
      const t1 = performance.now();
      const event = ${JSON.stringify(event ?? null)};
      if (event !== null) await m.handler(event, { getRemainingTimeInMillis: () => 30000 });
      const t2 = performance.now();
      process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstEventMs: t2 - t1 }));
      process.exit(0);`;
    const run = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...environment },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('{'))) as { importMs: number; firstEventMs: number };
  };
  const row = async (label: string, file: string, event: unknown): Promise<BenchResult & { totalMs: number }> => {
    await measure(file, event); // warm the OS file cache, as Lambda's is for a deployed package
    const samples: Array<{ importMs: number; firstEventMs: number }> = [];
    for (let i = 0; i < RUNS; i += 1) samples.push(await measure(file, event));
    const importMs = percentile(
      samples.map((s) => s.importMs),
      0.5,
    );
    const firstEventMs = percentile(
      samples.map((s) => s.firstEventMs),
      0.5,
    );
    const totalMs = percentile(
      samples.map((s) => s.importMs + s.firstEventMs),
      0.5,
    );
    return {
      label,
      opsPerSec: 0,
      p50Ms: Math.round(totalMs * 10) / 10,
      p99Ms: Math.round(Math.max(...samples.map((s) => s.importMs + s.firstEventMs)) * 10) / 10,
      totalMs,
      extra: {
        bundleKiB: Math.round(statSync(file).size / 1024),
        importMs: Math.round(importMs * 10) / 10,
        firstEventMs: event === undefined ? 'import only' : Math.round(firstEventMs * 10) / 10,
      },
    };
  };

  const minimal = await row('minimal handler', join(minimalDir, 'index.mjs'), { Records: [] });
  const rows = [minimal];
  for (const b of bundles) rows.push(await row(b.handler, join(b.dir, 'index.mjs'), firstEvent(b.handler)));
  const ratios: Record<string, number> = {};
  for (const r of rows.slice(1)) ratios[`${r.label} cold start / minimal`] = r.totalMs / Math.max(minimal.totalMs, 0.1);
  for (const handler of LAMBDA_HANDLERS) {
    const bundle = bundles.find((b) => b.handler === handler);
    if (bundle !== undefined) ratios[`${handler} KiB`] = bundle.bytes / 1024;
  }
  writeReport(
    'lambda',
    rows.map(({ totalMs: _totalMs, ...r }) => r),
    ratios,
  );
} finally {
  secrets.close();
  rmSync(outDir, { recursive: true, force: true });
}
