// Test-only child process: claims the due invites with fireDue and hangs inside onFired (after the
// transition was written, before the commit), printing `{"firing": id}` so the parent can SIGKILL it there.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createStateStore } from '../store/state-store.js';
import { inviteMachine } from './invite-machine.js';

const config = JSON.parse(process.argv[2] ?? '{}') as { postgresUrl: string; schema: string; nowMs: number };
const db = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.postgresUrl, max: 2 }) }),
});
const store = createStateStore({
  machine: inviteMachine,
  schema: config.schema,
  aggregateTable: 'invites',
  auditTable: 'invites_audit',
  now: () => config.nowMs,
});
await store.fireDue(db, {
  limit: 10,
  onFired: async (_trx, fired) => {
    process.stdout.write(`${JSON.stringify({ firing: fired.id })}\n`);
    await new Promise(() => {
      // Never settles: the parent kills this process here.
    });
  },
});
