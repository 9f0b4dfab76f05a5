import { execFileSync } from 'node:child_process';
import { startCheckoutStack } from '@checkout/testing';
import pg from 'pg';

const stack = await startCheckoutStack({ mode: 'embedded' });
const c = new pg.Client({ connectionString: stack.postgres.url });
await c.connect();
await c.query('CREATE DATABASE readme_example');
await c.end();
const url = stack.postgres.url.replace(/\/[^/?]+(\?|$)/, '/readme_example$1');
try {
  console.log(
    execFileSync(process.execPath, ['--import', 'tsx', '/tmp/smrun/example.ts'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      cwd: '/work/wt/state-machine/packages/state-machine',
    }),
  );
} finally {
  await stack.stop();
}
