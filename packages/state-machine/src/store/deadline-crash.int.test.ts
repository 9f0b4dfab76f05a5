import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateInvites } from '../test-support/deadline-tables.js';
import { fakeClock, inviteMachine } from '../test-support/invite-machine.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore } from './state-store.js';

// A sweeper SIGKILLed mid-fire (transition written, onFired running, not committed) fires nothing: the
// deadline stays due and the next run fires it exactly once.
let t: TestDb;
const clock = fakeClock();

beforeAll(async () => {
  t = await openTestDb();
  await migrateInvites(t.db, t.schema);
});
afterAll(async () => {
  await t?.close();
});

it('a sweeper killed mid-fire leaves the deadline to fire on the next run', async () => {
  const store = createStateStore({
    machine: inviteMachine,
    schema: t.schema,
    aggregateTable: 'invites',
    auditTable: 'invites_audit',
    now: clock.now,
  });
  await t.db.transaction().execute((trx) => store.create(trx, { id: 'crash_1', eventId: 'c1', actor: 'api' }));
  clock.advance(61);

  const script = fileURLToPath(new URL('../test-support/fire-and-hang.ts', import.meta.url));
  const config = { postgresUrl: useCheckoutStack().postgres.url, schema: t.schema, nowMs: clock.now() };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@checkout/source', script, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const firing = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { firing: string }).firing);
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  expect(firing).toBe('crash_1');
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;

  // The child's transition was never committed.
  expect(await store.get(t.db, 'crash_1')).toMatchObject({ state: 'SENT', version: 1 });

  // The next run fires it (bounded retries while Postgres reaps the dead session and its lock).
  let fired = 0;
  for (let attempt = 0; attempt < 100 && fired === 0; attempt += 1) {
    fired += (await store.fireDue(t.db)).fired;
    if (fired === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(fired).toBe(1);
  expect((await store.fireDue(t.db)).fired).toBe(0);
  const history = await store.history(t.db, 'crash_1');
  expect(history.map((entry) => entry.eventId)).toEqual(['c1', 'deadline:crash_1:1']);
});
