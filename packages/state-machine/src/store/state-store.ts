import { type Clock, fieldPath } from '@checkout/core';
import { type Kysely, type QueryExecutorProvider, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import {
  AlreadyExistsError,
  EventIdReusedError,
  InvalidTransitionError,
  NotFoundError,
  StateMachineConfigError,
  StateMachineInputError,
  UnknownStateError,
  VersionConflictError,
} from '../errors.js';
import { transition } from '../machine/transition.js';
import type { AnyMachine, EventOf, MachineDeadline, StateOf } from '../machine/types.js';
import { transitionSpanEvent } from '../tracing/span-event.js';
import { type AggregateTableFacts, canonicalId, describeIdColumn, readAggregateTable } from './aggregate-table.js';
import {
  type DeadlineRunOptions,
  type DeadlineRunResult,
  type DeadlineStats,
  type FireDueOptions,
  type FireDueResult,
  fireDueOptions,
  notify,
  pause,
  type ResolvedFireDue,
  runOptions,
} from './deadlines.js';
import {
  deadlineMigration,
  deadlineMigrationSql,
  type StateStoreMigrationOptions,
  stateStoreMigration,
  stateStoreMigrationSql,
} from './migration.js';
import { type PayloadJson, payloadJson } from './payload-json.js';
import {
  type StepRow,
  type StepStatementValues,
  stepFunctionCall,
  stepFunctionMigration,
  stepFunctionMigrationSql,
  stepFunctionName,
  stepStatement,
} from './step-function.js';
import { resolveTables, type StateStoreTables } from './tables.js';
import type {
  AdvanceApplied,
  AdvanceResult,
  ApplyResult,
  AuditEntry,
  AuditKind,
  JsonValue,
  Snapshot,
  StateChange,
} from './types.js';
import { optionalReason, optionalVersion, requireInput, requireReason, requireText } from './validate-input.js';

/**
 * Options of {@link createStateStore}. The store holds no connection: writes run in the `trx` you pass,
 * reads with the `db` you pass. `DB` (your Kysely database type) types `onTransition`'s `trx`; it is
 * inferred from that hook's annotation, e.g. `onTransition: async (trx: Transaction<Database>, change) => ...`.
 */
export interface StateStoreOptions<M extends AnyMachine, DB = unknown> extends StateStoreTables {
  /** The machine whose transitions the store enforces. */
  readonly machine: M;
  /**
   * Runs after every change the store writes (`create`, `apply`, `force`; not for duplicates), in the same
   * transaction: enqueue outbox messages or write projections here, and they commit or roll back with the
   * state change. Throwing rolls the whole transaction back (when the caller lets the error propagate).
   * A transactional hook, not an observer: its errors are not swallowed.
   */
  readonly onTransition?: (trx: Transaction<DB>, change: StateChange<StateOf<M>, EventOf<M>>) => Promise<void> | void;
  /**
   * The clock deadlines are computed and fired with (epoch milliseconds, `Clock` from core). Default
   * `Date.now`. A state's due time is `now() + afterSeconds`; `fireDue` fires what is due at `now()`.
   */
  readonly now?: Clock;
}

/** Input of {@link StateStore.create}. */
export interface CreateInput {
  /** The aggregate id (the primary key of `aggregateTable`, as text). */
  readonly id: string;
  /** Idempotency id: creating again with the same id returns the current state and writes nothing. */
  readonly eventId: string;
  /** Who creates it. */
  readonly actor: string;
  /** Optional note. */
  readonly reason?: string;
  /** Optional JSON recorded in the audit row (stored as jsonb; see the README's input rules). */
  readonly payload?: JsonValue;
}

/** Input of {@link StateStore.apply}. */
export interface ApplyInput<E extends string> {
  /** The aggregate id. */
  readonly id: string;
  /** The event to apply; must be an event of the machine. */
  readonly event: E;
  /** Idempotency id (e.g. the command's message id): a second apply with it writes nothing. */
  readonly eventId: string;
  /** Who applies it. */
  readonly actor: string;
  /** Optional note. */
  readonly reason?: string;
  /** Optional JSON recorded in the audit row and given to guards in that stored form (a `Date` as its ISO string). */
  readonly payload?: JsonValue;
  /** When set, the change happens only if the aggregate is still at this version (else `VersionConflictError`). */
  readonly expectedVersion?: number;
}

/** At most this many events in one {@link StateStore.advance} step. */
const MAX_ADVANCE_EVENTS = 16;

/**
 * Input of {@link StateStore.advance}: one event, or a short sequence applied under one row lock.
 * Event k of the step (1-based, k >= 2) is recorded under the event id `${eventId}#${k}`; the first under
 * `eventId` itself, so a one-event step records exactly what `apply` would.
 */
export interface AdvanceInput<E extends string> {
  /** The aggregate id. */
  readonly id: string;
  /** One event, or 1-16 events applied in order (each must be an event of the machine). */
  readonly events: E | readonly [E, ...E[]];
  /** Idempotency id of the whole step (e.g. the command's message id); see above for the ids of later events. */
  readonly eventId: string;
  /** Who applies it. */
  readonly actor: string;
  /** Optional note, recorded on every event of the step. */
  readonly reason?: string;
  /** Optional JSON recorded on every event of the step and given to every guard (in its stored form). */
  readonly payload?: JsonValue;
  /** When set, the step happens only if the aggregate is at this version before it (else `VersionConflictError`). */
  readonly expectedVersion?: number;
}

/** Input of {@link StateStore.force}. */
export interface ForceInput<S extends string> {
  /** The aggregate id. */
  readonly id: string;
  /** The state to put the aggregate in, whatever the machine's transitions say. */
  readonly to: S;
  /** Idempotency id: a double-clicked repair is recorded once. */
  readonly eventId: string;
  /** Who forces it (required: manual repairs are never anonymous). */
  readonly actor: string;
  /** Why (required). */
  readonly reason: string;
  /** Optional JSON recorded in the audit row (ticket id, evidence). */
  readonly payload?: JsonValue;
  /** When set, the repair happens only if the aggregate is still at this version. */
  readonly expectedVersion?: number;
}

/**
 * Persistence of one machine's aggregates in Postgres. Writes take the caller's `trx` first (a Kysely
 * `Transaction` whose database type includes `DB`), reads take a `db` first (a `Kysely` or a `Transaction`).
 */
export interface StateStore<M extends AnyMachine, DB = unknown> {
  /** The machine this store enforces. */
  readonly machine: M;
  /**
   * The Kysely `Migration` that adds the state columns to `aggregateTable` (plain `ADD COLUMN`; with
   * `createAggregateTable: true` it creates that table instead) and creates the audit table (plain
   * `CREATE TABLE`; skip it with `createAuditTable: false` when another store's migration creates a shared
   * one) with its two unique keys: `(machine_id, aggregate_id, version)` and
   * `(machine_id, aggregate_id, event_id)`. `down` drops only what `up` created.
   */
  migration(options?: StateStoreMigrationOptions): Migration;
  /** The statements of {@link StateStore.migration} as SQL text, for Flyway, dbmate or psql. */
  migrationSql(direction: 'up' | 'down', options?: StateStoreMigrationOptions): string;
  /**
   * The Kysely `Migration` that adds the deadline column `deadline_at timestamptz` to `aggregateTable` and
   * a partial index on it (`<aggregateTable>_deadline_idx`, rows with a deadline only). A separate step so
   * a table migrated by an earlier release is upgraded by adding one line after `migration()`; required
   * once the machine declares a deadline. Rows already in a state with a deadline get one, counted from
   * `state_updated_at` (when they entered it). `down` drops exactly the index and the column.
   *
   * @example
   * ```ts
   * import { createStateStore, orderMachine } from '@checkout/state-machine';
   * import type { Migration } from 'kysely/migration';
   *
   * const orders = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
   * const migrations: Record<string, Migration> = {
   *   '002_order_state': orders.migration(),
   *   '003_order_deadlines': orders.deadlineMigration(),
   * };
   * ```
   */
  deadlineMigration(): Migration;
  /** The statements of {@link StateStore.deadlineMigration} as SQL text. */
  deadlineMigrationSql(direction: 'up' | 'down'): string;
  /**
   * Optional, for throughput: the Kysely `Migration` that creates a PL/pgSQL function running the one
   * statement with which `apply` and `advance` write a transition (plain `CREATE FUNCTION` in `schema`,
   * named `checkout_step_<hash of the tables>`). Kysely sends every statement unnamed, so Postgres parses
   * and plans that statement on every call; inside a function its plan is kept for the session, which
   * makes a transition about 2x cheaper for Postgres (`pnpm bench state-machine`). A store created after
   * it ran (`CREATE FUNCTION` is checked once per store) uses it; the answers are the same with or without
   * it. Run it after `migration()` and, when the machine declares deadlines, `deadlineMigration()` (a
   * machine without deadlines on a table that has `deadline_at` keeps the statement); run it again (down,
   * then up) when those change, and drop it only with the stores stopped (a store that saw it calls it).
   * `down` drops exactly the function.
   *
   * @example
   * ```ts
   * import { createStateStore, orderMachine } from '@checkout/state-machine';
   * import type { Migration } from 'kysely/migration';
   *
   * const orders = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
   * const migrations: Record<string, Migration> = {
   *   '002_order_state': orders.migration(),
   *   '003_order_deadlines': orders.deadlineMigration(),
   *   '004_order_step_function': orders.functionMigration(),
   * };
   * ```
   */
  functionMigration(): Migration;
  /** The statements of {@link StateStore.functionMigration} as SQL text. */
  functionMigrationSql(direction: 'up' | 'down'): string;
  /**
   * Puts aggregate `id` in the machine's initial state at version 1 and records a `created` audit entry.
   * If your row already exists (inserted earlier in the same transaction, state columns still NULL) its
   * state columns are set; otherwise a row with only the id and the state columns is inserted.
   * Throws `AlreadyExistsError` when the aggregate already has a state under another event id, and
   * `StateMachineInputError` (`id`) for an id the id column cannot hold (e.g. `'abc'` for a `bigint` key).
   */
  create<T extends DB>(trx: Transaction<T>, input: CreateInput): Promise<ApplyResult<StateOf<M>>>;
  /**
   * Applies `event` to aggregate `id` inside `trx`: locks the row, returns the recorded result if
   * `eventId` was seen before (writes nothing), checks `expectedVersion`, computes the next state with
   * the pure `transition`, bumps the version and appends one audit entry, then calls `onTransition`.
   * Throws `NotFoundError` (also for an id the id column cannot hold), `VersionConflictError`,
   * `InvalidTransitionError`, `EventIdReusedError`, `StateMachineInputError` or `UnknownStateError`, having
   * written nothing; input is checked before any SQL, so `trx` stays usable after a refusal. The returned
   * `entry` is the audit row as stored, equal to what a replay and `history()` return.
   */
  apply<T extends DB>(trx: Transaction<T>, input: ApplyInput<EventOf<M>>): Promise<ApplyResult<StateOf<M>>>;
  /**
   * `apply` for at-least-once delivery: applies one event, or a short sequence, to aggregate `id` under
   * ONE row lock, and tells a redelivery and a late command apart from a change instead of throwing:
   *
   * - `eventId` already recorded for this step: `{ outcome: 'duplicate', snapshot, entries }` (the entries
   *   recorded the first time), nothing written. Recorded for a different change: `EventIdReusedError`.
   * - the first event not accepted in the current state (guard refusal included):
   *   `{ outcome: 'not-allowed', state, event, snapshot, reason, allowedEvents }`, nothing written.
   * - otherwise every event is written (version +1 each, one audit entry each, `onTransition` per change),
   *   then `onApplied(trx, result)` runs in the same transaction, and it returns
   *   `{ outcome: 'applied', snapshot, entries }`. `onApplied` runs for `applied` only; its errors propagate.
   *
   * The whole chain is computed with the pure `transition` before anything is written: a later event that
   * does not fit after the earlier ones throws `InvalidTransitionError` (the sequence does not fit the
   * machine), having written nothing. Event k (k >= 2) is recorded as `${eventId}#${k}`; `reason` and
   * `payload` are recorded on every event. `VersionConflictError`, `NotFoundError`, `StateMachineInputError`
   * and `UnknownStateError` as for `apply`; input is checked before any SQL, and no refusal aborts `trx`.
   *
   * @example
   * ```ts
   * import { createStateStore, orderMachine } from '@checkout/state-machine';
   * import type { Kysely } from 'kysely';
   *
   * interface Database {
   *   orders: { id: string; state: string | null; version: number | null };
   *   outbox: { id: string; order_id: string; type: string };
   * }
   * declare const db: Kysely<Database>;
   * const orders = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
   *
   * // A payment worker handling an SQS message that may be delivered twice, or arrive late.
   * const result = await db.transaction().execute((trx) =>
   *   orders.advance(
   *     trx,
   *     { id: 'ord_1', events: 'payment.authorized', eventId: 'sqs-message-id-1', actor: 'payment-worker' },
   *     async (tx, applied) => {
   *       // Runs only when the step was written now, in the same transaction.
   *       const version = applied.snapshot.version;
   *       await tx.insertInto('outbox').values({ id: `ord_1:${version}`, order_id: 'ord_1', type: 'ReserveInventory' }).execute();
   *     },
   *   ),
   * );
   * if (result.outcome === 'not-allowed') console.log(`ignored: order is ${result.state}`);
   * ```
   */
  advance<T extends DB>(
    trx: Transaction<T>,
    input: AdvanceInput<EventOf<M>>,
    onApplied?: (trx: Transaction<T>, result: AdvanceApplied<StateOf<M>, EventOf<M>>) => Promise<void> | void,
  ): Promise<AdvanceResult<StateOf<M>, EventOf<M>>>;
  /**
   * Manual repair: moves aggregate `id` to `to` regardless of the transitions (also out of a terminal or
   * unknown state), audited as `forced` with actor and reason. Idempotent by `eventId` like `apply`.
   */
  force<T extends DB>(trx: Transaction<T>, input: ForceInput<StateOf<M>>): Promise<ApplyResult<StateOf<M>>>;
  /**
   * The current state of `id`, read with `db` (a `Kysely`, or a `Transaction` to read your own uncommitted
   * writes); `NotFoundError` when it has none or the id column cannot hold `id`.
   */
  get<T>(db: Kysely<T> | Transaction<T>, id: string): Promise<Snapshot<StateOf<M>>>;
  /** The audit timeline of `id`, read with `db`, oldest first (ordered by version); empty when there is none. */
  history<T>(db: Kysely<T> | Transaction<T>, id: string): Promise<AuditEntry[]>;
  /**
   * Fires the deadlines due at `now()`: in ONE transaction it claims up to `limit` due aggregates,
   * oldest due first, with `FOR UPDATE SKIP LOCKED` (concurrent sweepers split the work, never share an
   * aggregate), applies each one's deadline event under the event id `deadline:<id>:<version>` (actor
   * `deadline`; `onTransition` runs as for any change) and calls `onFired` in the same transaction.
   * Each aggregate runs under a savepoint: a failing `onFired` rolls back that aggregate only, which stays
   * due (reported to `observer.error`). A crash before the commit leaves every claimed deadline due for
   * the next call; a deadline is fired at most once per state entry, since firing (or any other change)
   * moves the version and clears or resets the due time. An aggregate that left the state before the
   * deadline is never claimed: leaving clears its due time. `db` must be a `Kysely` (not a `Transaction`):
   * the call commits its own work.
   *
   * @example
   * ```ts
   * import { createStateStore, orderMachine } from '@checkout/state-machine';
   * import type { Kysely } from 'kysely';
   *
   * interface Database {
   *   orders: { id: string; state: string | null; version: number | null; deadline_at: Date | null };
   *   outbox: { id: string; order_id: string; type: string };
   * }
   * declare const db: Kysely<Database>;
   * const orders = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
   *
   * const { fired, claimed } = await orders.fireDue(db, {
   *   limit: 200,
   *   onFired: async (trx, deadline) => {
   *     // Same transaction as the transition: the follow-up command commits with it or not at all.
   *     await trx.insertInto('outbox').values({ id: deadline.eventId, order_id: deadline.id, type: deadline.event }).execute();
   *   },
   * });
   * ```
   */
  fireDue<T extends DB>(db: Kysely<T>, options?: FireDueOptions<StateOf<M>, EventOf<M>, T>): Promise<FireDueResult>;
  /**
   * `fireDue` in a loop for `forMs` (a scheduled Lambda: a little less than its timeout; a container:
   * a long budget and `signal` to stop): batches back to back while a batch is full, a pause of `idleMs`
   * after one that was not (or failed: reported to `observer.error`, never thrown). Every wait is bounded
   * by the budget and ends when `signal` aborts.
   *
   * @example
   * ```ts
   * import { createStateStore, orderMachine } from '@checkout/state-machine';
   * import type { Kysely } from 'kysely';
   *
   * declare const db: Kysely<unknown>;
   * const orders = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
   * const stop = new AbortController();
   * process.once('SIGTERM', () => stop.abort());
   * const { fired } = await orders.runDeadlines(db, { forMs: 50_000, idleMs: 1_000, signal: stop.signal });
   * ```
   */
  runDeadlines<T extends DB>(
    db: Kysely<T>,
    options: DeadlineRunOptions<StateOf<M>, EventOf<M>, T>,
  ): Promise<DeadlineRunResult>;
  /**
   * Overdue deadlines at `now()` (due, not fired yet) and the age of the oldest, for an alarm: a healthy
   * sweeper keeps `oldestOverdueAgeSeconds` below its schedule's period. Reads the partial index only.
   */
  deadlineStats<T>(db: Kysely<T> | Transaction<T>): Promise<DeadlineStats>;
}

interface AggregateRow {
  readonly id: string;
  readonly state: string | null;
  readonly version: number | null;
  readonly machineVersion: number | null;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

interface AuditRow {
  readonly machineId: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly kind: string;
  readonly event: string | null;
  readonly from: string | null;
  readonly to: string;
  readonly eventId: string;
  readonly actor: string;
  readonly reason: string | null;
  readonly payload: JsonValue | null;
  readonly machineVersion: number;
  readonly at: Date;
}

/**
 * Creates the Postgres (Kysely) store for `machine`. Every write runs in the `Transaction` you pass and
 * never opens or commits one itself, so the state change, its audit entry and the rows `onTransition`
 * writes commit together or not at all. Options are checked here: a bad table, schema or column name (core's
 * identifier rule, quoted in SQL) or a bad machine is a `StateMachineConfigError` naming the option.
 *
 * @example
 * ```ts
 * import { createStateStore, orderMachine } from '@checkout/state-machine';
 * import type { Kysely, Transaction } from 'kysely';
 *
 * interface Database {
 *   orders: { id: string; state: string | null; version: number | null };
 *   outbox: { id: string; order_id: string; type: string };
 * }
 * declare const db: Kysely<Database>;
 *
 * const orders = createStateStore({
 *   machine: orderMachine,
 *   aggregateTable: 'orders',
 *   onTransition: async (trx: Transaction<Database>, change) => {
 *     await trx.insertInto('outbox').values({ id: `${change.id}:${change.version}`, order_id: change.id, type: change.to }).execute();
 *   },
 * });
 * // migrations: { '002_order_state': orders.migration() }
 * await db.transaction().execute((trx) =>
 *   orders.apply(trx, { id: 'ord_1', event: 'payment.authorized', eventId: 'msg-1', actor: 'payment-worker' }),
 * );
 * const snapshot = await orders.get(db, 'ord_1'); // { state: 'PAYMENT_AUTHORIZED', version: 2, ... }
 * ```
 */
export function createStateStore<M extends AnyMachine, DB = unknown>(
  options: StateStoreOptions<M, DB>,
): StateStore<M, DB> {
  type S = StateOf<M>;
  type E = EventOf<M>;
  if (typeof options !== 'object' || options === null) {
    throw new StateMachineConfigError(
      'options',
      `must be an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const { machine, onTransition } = options;
  if (
    typeof machine !== 'object' ||
    machine === null ||
    !Array.isArray(machine.states) ||
    !Array.isArray(machine.events) ||
    typeof machine.id !== 'string'
  ) {
    throw new StateMachineConfigError('machine', 'must be a machine built by defineMachine(...)');
  }
  if (onTransition !== undefined && typeof onTransition !== 'function') {
    throw new StateMachineConfigError('onTransition', `must be a function, got ${typeof onTransition}`);
  }
  const tables = resolveTables(options);
  const now: Clock = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new StateMachineConfigError('now', `must be a function returning epoch milliseconds, got ${typeof now}`);
  }
  const machineDeadlines: readonly MachineDeadline<string, string>[] = Array.isArray(machine.deadlines)
    ? machine.deadlines
    : [];
  const deadlineByState = new Map(machineDeadlines.map((deadline) => [deadline.state, deadline]));
  // The apply function sets deadline_at when the machine declares deadlines (the column then exists).
  const withDeadlines = machineDeadlines.length > 0;
  const machineStates: readonly string[] = machine.states;
  if (!Number.isSafeInteger(machine.version) || machine.version > MAX_INT4) {
    throw new StateMachineConfigError(
      'machine.version',
      `must fit the integer column machine_version (at most ${MAX_INT4})`,
    );
  }
  // Read from the catalog on first use and kept (a successful read only): which ids the id column can hold.
  let tableFacts: AggregateTableFacts | undefined;

  const aggregateColumns = sql`${tables.idColumn}::text AS id, state, version, machine_version AS "machineVersion",
    state_created_at AS "createdAt", state_updated_at AS "updatedAt"`;
  const auditColumns = sql`machine_id AS "machineId", aggregate_id AS "aggregateId", version, kind, event,
    from_state AS "from", to_state AS "to", event_id AS "eventId", actor, reason, payload,
    machine_version AS "machineVersion", at`;

  /** The `trx` a write was given, checked at run time: the store never opens a transaction itself. */
  function transactionOf(trx: unknown): Executor {
    if (typeof trx !== 'object' || trx === null || (trx as { isTransaction?: unknown }).isTransaction !== true) {
      throw new StateMachineInputError(
        'trx',
        'must be a Kysely Transaction (db.transaction().execute(trx => ...)); the store never opens one itself',
      );
    }
    return trx as Executor;
  }

  /** The `db` of `fireDue` / `runDeadlines`: a `Kysely` that can open transactions, not a `Transaction`. */
  function kyselyOf(db: unknown): Kysely<unknown> {
    if (
      typeof db !== 'object' ||
      db === null ||
      typeof (db as { transaction?: unknown }).transaction !== 'function' ||
      (db as { isTransaction?: unknown }).isTransaction === true
    ) {
      throw new StateMachineInputError(
        'db',
        'must be a Kysely instance, not a Transaction: fireDue commits its own transaction per batch',
      );
    }
    return db as Kysely<unknown>;
  }

  /**
   * One `fireDue` batch: claim, fire each under a savepoint, commit. Every claimed row is still in the state
   * that set its due time (any change clears or resets it in the same UPDATE), and its lock holds until
   * the commit: the event id `deadline:<id>:<version>` is recorded at most once.
   */
  async function fireBatch(kysely: Kysely<unknown>, run: ResolvedFireDue): Promise<FireDueResult> {
    const facts = await aggregateTable(kysely);
    if (!facts.hasDeadlineColumn) return { claimed: 0, fired: 0, failed: 0, cleared: 0 };
    const at = new Date(currentTime()).toISOString();
    const committed: { id: string; eventId: string; from: string; to: string }[] = [];
    const result = await kysely.transaction().execute(async (trx) => {
      const { rows } = await sql<AggregateRow & { dueAt: Date }>`SELECT ${aggregateColumns}, deadline_at AS "dueAt"
        FROM ${tables.aggregate} WHERE deadline_at <= ${at}::timestamptz
        ORDER BY deadline_at LIMIT ${run.limit} FOR UPDATE SKIP LOCKED`.execute(trx);
      let fired = 0;
      let failed = 0;
      let cleared = 0;
      for (const row of rows) {
        const deadline = row.state === null ? undefined : deadlineByState.get(row.state);
        if (deadline === undefined || row.version === null) {
          // The machine no longer has a deadline for this state (or a row outside the store): nothing to fire.
          await sql`UPDATE ${tables.aggregate} SET deadline_at = NULL WHERE ${tables.idColumn} = ${row.id}`.execute(
            trx,
          );
          cleared += 1;
          continue;
        }
        const from = deadline.state as S;
        const event = deadline.event as E;
        const eventId = `deadline:${row.id}:${row.version}`;
        await sql`SAVEPOINT checkout_deadline`.execute(trx);
        try {
          const to = transition(machine, from, event) as S;
          const reason = `deadline of ${from} passed (${deadline.afterSeconds}s)`;
          const written = await writeChange(
            trx,
            row,
            { kind: 'transition', event, from, to, eventId, actor: DEADLINE_ACTOR, reason },
            undefined,
          );
          const { snapshot, entry } = written;
          await run.onFired?.(trx as never, {
            id: snapshot.id,
            from,
            event,
            to,
            eventId,
            dueAt: row.dueAt,
            snapshot,
            entry,
          });
          await sql`RELEASE SAVEPOINT checkout_deadline`.execute(trx);
          fired += 1;
          committed.push({ id: snapshot.id, eventId, from, to });
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT checkout_deadline`.execute(trx);
          failed += 1;
          notify(run.observer, 'error', { id: row.id, error });
        }
      }
      return { claimed: rows.length, fired, failed, cleared };
    });
    for (const event of committed) notify(run.observer, 'fired', event);
    return result;
  }

  /** The `db` a read was given (a `Kysely` or a `Transaction`), checked at run time. */
  function executorOf(db: unknown): Executor {
    if (typeof db !== 'object' || db === null || typeof (db as { getExecutor?: unknown }).getExecutor !== 'function') {
      throw new StateMachineInputError(
        'db',
        'must be a Kysely instance or Transaction: reads take it first, e.g. store.get(db, id)',
      );
    }
    return db as Executor;
  }

  function toSnapshot(row: AggregateRow): Snapshot<S> {
    if (row.state === null || row.version === null) throw new NotFoundError(row.id);
    if (!machineStates.includes(row.state)) {
      throw new UnknownStateError(row.id, row.state, machine.id, machine.version);
    }
    return {
      id: row.id,
      state: row.state as S,
      version: row.version,
      machineVersion: row.machineVersion ?? machine.version,
      createdAt: row.createdAt ?? new Date(0),
      updatedAt: row.updatedAt ?? new Date(0),
    };
  }

  function toEntry(row: AuditRow): AuditEntry {
    return { ...row, kind: row.kind as AuditKind };
  }

  async function aggregateTable(executor: Executor): Promise<AggregateTableFacts> {
    if (tableFacts !== undefined) return tableFacts;
    const facts = await readAggregateTable(executor, tables.names, stepFunctionName(tables, withDeadlines));
    if (machineDeadlines.length > 0 && !facts.hasDeadlineColumn) {
      throw new StateMachineConfigError(
        'aggregateTable',
        `${tables.names.schema}.${tables.names.aggregateTable} has no deadline_at column and machine ${machine.id} ` +
          `declares deadlines; run the store's deadlineMigration() first`,
      );
    }
    tableFacts = facts;
    return facts;
  }

  /** The clock's reading, checked: a clock returning garbage must not write garbage due times. */
  function currentTime(): number {
    const time = now();
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new StateMachineConfigError('now', `must return epoch milliseconds, returned ${String(time)}`);
    }
    return time;
  }

  /** When a deadline of `state`, entered now, is due (ISO text), or `null` when the state has none. */
  function dueAt(state: string): string | null {
    const deadline = deadlineByState.get(state);
    return deadline === undefined ? null : new Date(currentTime() + deadline.afterSeconds * 1000).toISOString();
  }

  /** `, deadline_at = <due time of state>` when the deadline migration ran; nothing otherwise. */
  function setDeadline(facts: AggregateTableFacts, state: string) {
    return facts.hasDeadlineColumn ? sql`, deadline_at = ${dueAt(state)}::timestamptz` : sql``;
  }

  /**
   * The id as the column spells it, or `undefined` when the column cannot hold it (no row can have it):
   * decided here, so a bad id never reaches a statement that would fail and abort the caller's transaction.
   */
  async function keyOf(executor: Executor, id: string): Promise<string | undefined> {
    return canonicalId((await aggregateTable(executor)).id, id);
  }

  /** As {@link keyOf}, for a lookup that must find a row: `NotFoundError` when no row can have this id. */
  async function existingKey(executor: Executor, id: string): Promise<string> {
    const key = await keyOf(executor, id);
    if (key === undefined) throw new NotFoundError(id);
    return key;
  }

  async function lockRow(trx: Executor, id: string): Promise<AggregateRow> {
    const { rows } = await sql<AggregateRow>`SELECT ${aggregateColumns} FROM ${tables.aggregate}
      WHERE ${tables.idColumn} = ${id} FOR UPDATE`.execute(trx);
    const row = rows[0];
    if (row === undefined || row.state === null || row.version === null) throw new NotFoundError(id);
    return row;
  }

  /**
   * Locks the row and looks for `eventIds` in the same statement (one round trip), returning the audit
   * entries recorded under them. The lookup inside the locking statement reads the statement's snapshot,
   * which misses a change committed while the statement waited for the lock. Every change bumps the
   * version and writes the audit row of that version in one transaction, so the snapshot is complete
   * exactly when its newest audit version for the aggregate is the locked row's version: then "not found"
   * is the answer. Otherwise (a lock wait on a writer, or a row changed outside the store), and whenever
   * an id was found, the entries are read with a new statement, which sees every commit before the lock.
   */
  async function lockAndFind(
    trx: Executor,
    id: string,
    eventIds: readonly string[],
  ): Promise<{ readonly locked: AggregateRow; readonly found: readonly AuditEntry[] }> {
    const { rows } = await sql<
      AggregateRow & { auditVersion: number | null; seen: boolean }
    >`SELECT ${aggregateColumns},
        (SELECT max(x.version) FROM ${tables.audit} x
          WHERE x.machine_id = ${machine.id} AND x.aggregate_id = a.${tables.idColumn}::text) AS "auditVersion",
        EXISTS (SELECT 1 FROM ${tables.audit} x WHERE x.machine_id = ${machine.id}
          AND x.aggregate_id = a.${tables.idColumn}::text AND x.event_id = ANY(${eventIds}::text[])) AS seen
      FROM ${tables.aggregate} a WHERE a.${tables.idColumn} = ${id} FOR UPDATE OF a`.execute(trx);
    const row = rows[0];
    if (row === undefined || row.state === null || row.version === null) throw new NotFoundError(id);
    const complete = row.auditVersion === row.version;
    const found = !row.seen && complete ? [] : await recordedAll(trx, row.id, eventIds);
    const { auditVersion: _auditVersion, seen: _seen, ...locked } = row;
    return { locked, found };
  }

  async function rowExists(trx: Executor, id: string): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM ${tables.aggregate} WHERE ${tables.idColumn} = ${id} FOR UPDATE`.execute(
      trx,
    );
    return rows.length > 0;
  }

  async function recorded(executor: Executor, aggregateId: string, eventId: string): Promise<AuditEntry | undefined> {
    const { rows } = await sql<AuditRow>`SELECT ${auditColumns} FROM ${tables.audit}
      WHERE machine_id = ${machine.id} AND aggregate_id = ${aggregateId} AND event_id = ${eventId}`.execute(executor);
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  async function recordedAll(
    executor: Executor,
    aggregateId: string,
    eventIds: readonly string[],
  ): Promise<AuditEntry[]> {
    const { rows } = await sql<AuditRow>`SELECT ${auditColumns} FROM ${tables.audit}
      WHERE machine_id = ${machine.id} AND aggregate_id = ${aggregateId} AND event_id = ANY(${eventIds}::text[])
      ORDER BY version`.execute(executor);
    return rows.map(toEntry);
  }

  // UPDATE and audit INSERT in one statement (one round trip): the INSERT selects from the UPDATE's result,
  // so no audit row can exist without its version bump.
  async function writeChange(
    trx: Executor,
    locked: Pick<AggregateRow, 'id' | 'version'>,
    change: Omit<StateChange<S, E>, 'machineId' | 'id' | 'version' | 'payload'>,
    payload: PayloadJson | undefined,
  ): Promise<ApplyResult<S>> {
    const facts = await aggregateTable(trx);
    const { rows } = await sql<AggregateRow & { at: Date; payload: JsonValue | null }>`WITH updated AS (
        UPDATE ${tables.aggregate}
        SET state = ${change.to}, version = version + 1, machine_version = ${machine.version}, state_updated_at = now()
          ${setDeadline(facts, change.to)}
        WHERE ${tables.idColumn} = ${locked.id} AND version = ${locked.version}
        RETURNING ${aggregateColumns}
      ), inserted AS (
        INSERT INTO ${tables.audit}
          (machine_id, aggregate_id, version, kind, event, from_state, to_state, event_id, actor, reason, payload,
           machine_version)
        SELECT ${machine.id}, updated.id, updated.version, ${change.kind}, ${change.event}, ${change.from},
          ${change.to}, ${change.eventId}, ${change.actor}, ${change.reason}, ${payload?.text ?? null}::jsonb,
          ${machine.version}
        FROM updated
        RETURNING at, payload
      )
      SELECT updated.*, inserted.at, inserted.payload FROM updated, inserted`.execute(trx);
    const written = rows[0];
    // Unreachable under READ COMMITTED (the row is locked); kept so a logic error can never double-write.
    if (written === undefined) throw new VersionConflictError(locked.id, locked.version ?? 0, -1);
    const snapshot = toSnapshot(written);
    return finish(trx, snapshot, { ...change, payload: written.payload }, written.at);
  }

  async function record(
    trx: Executor,
    row: AggregateRow,
    change: Omit<StateChange<S, E>, 'machineId' | 'id' | 'version' | 'payload'>,
    payload: PayloadJson | undefined,
  ): Promise<ApplyResult<S>> {
    const snapshot = toSnapshot(row);
    const { rows } = await sql<{ at: Date; payload: JsonValue | null }>`INSERT INTO ${tables.audit}
      (machine_id, aggregate_id, version, kind, event, from_state, to_state, event_id, actor, reason, payload, machine_version)
      VALUES (${machine.id}, ${snapshot.id}, ${snapshot.version}, ${change.kind}, ${change.event}, ${change.from},
        ${change.to}, ${change.eventId}, ${change.actor}, ${change.reason}, ${payload?.text ?? null}::jsonb,
        ${machine.version})
      RETURNING at, payload`.execute(trx);
    const inserted = rows[0] as { at: Date; payload: JsonValue | null };
    // What jsonb stored (a Date as its ISO string, keys in jsonb's order), so apply, replays and history agree.
    return finish(trx, snapshot, { ...change, payload: inserted.payload }, inserted.at);
  }

  async function finish(
    trx: Executor,
    snapshot: Snapshot<S>,
    change: Omit<StateChange<S, E>, 'machineId' | 'id' | 'version'>,
    at: Date,
  ): Promise<ApplyResult<S>> {
    const full: StateChange<S, E> = { ...change, machineId: machine.id, id: snapshot.id, version: snapshot.version };
    const entry: AuditEntry = {
      machineId: machine.id,
      aggregateId: snapshot.id,
      version: snapshot.version,
      kind: change.kind,
      event: change.event,
      from: change.from,
      to: change.to,
      eventId: change.eventId,
      actor: change.actor,
      reason: change.reason,
      payload: change.payload,
      machineVersion: machine.version,
      at,
    };
    // The caller's transaction, typed as the hook's `DB` (the caller's type includes it: `T extends DB`).
    if (onTransition !== undefined) await onTransition(trx as Transaction<DB>, full);
    return { applied: true, snapshot, entry };
  }

  /**
   * `apply` in one round trip: {@link advanceInOneStatement} for a step of one event. It writes nothing
   * and returns `undefined` when the row's state has no next state for the event, the event id is recorded,
   * the statement's snapshot is incomplete (see {@link lockAndFind}) or `expectedVersion` is not met; the
   * caller then goes step by step (lock, lookup, decide, write).
   */
  async function applyInOneStatement(
    trx: Executor,
    key: string,
    event: E,
    eventId: string,
    expectedVersion: number | undefined,
    context: { readonly payload: JsonValue | undefined; readonly actor: string },
    reason: string | null,
    payload: PayloadJson | undefined,
  ): Promise<ApplyResult<S> | undefined> {
    const written = await advanceInOneStatement(
      trx,
      key,
      [event],
      [eventId],
      expectedVersion,
      context,
      reason,
      payload,
    );
    const entry = written?.entries[0];
    if (written === undefined || entry === undefined) return undefined;
    const change = {
      kind: 'transition' as const,
      event,
      from: written.from,
      to: written.snapshot.state,
      eventId,
      actor: context.actor,
      reason,
      payload: entry.payload,
    };
    return finish(trx, written.snapshot, change, entry.at);
  }

  /**
   * A step (`advance`'s events, or `apply`'s one) in one round trip. For every state the first
   * event may leave, the chain of the step's events is computed first with the pure `transition`; one
   * statement ({@link stepStatement}) then moves the row from that state to the chain's last state (version + number of events),
   * and inserts one audit row per event with contiguous versions, only when the row's state starts a
   * chain that fits, none of the step's event ids is recorded, the statement's snapshot is complete (see
   * {@link lockAndFind}) and `expectedVersion` is met. Otherwise it writes nothing and returns `undefined`:
   * the caller decides on the locked row step by step (duplicate, not-allowed, a later event that does
   * not fit, a guard that throws, a lock wait). The entries come back in version order, as stored.
   */
  async function advanceInOneStatement(
    trx: Executor,
    key: string,
    events: readonly E[],
    eventIds: readonly string[],
    expectedVersion: number | undefined,
    context: { readonly payload: JsonValue | undefined; readonly actor: string },
    reason: string | null,
    payload: PayloadJson | undefined,
  ): Promise<{ readonly from: S; readonly snapshot: Snapshot<S>; readonly entries: AuditEntry[] } | undefined> {
    const facts = await aggregateTable(trx);
    const first = events[0];
    const starts = new Set<string>();
    const froms: string[] = [];
    const finals: string[] = [];
    const dues: (string | null)[] = [];
    const steps = { start: [] as string[], k: [] as number[], from: [] as string[], to: [] as string[] };
    for (const edge of machine.transitions) {
      if (edge.event !== first || starts.has(edge.from)) continue;
      starts.add(edge.from);
      const chain: string[] = [];
      let state: string = edge.from;
      try {
        for (const event of events) {
          const to: string = transition(machine, state as S, event, context);
          chain.push(to);
          state = to;
        }
      } catch {
        // Refused (or a guard threw) somewhere along the chain from this state: decided step by step.
        continue;
      }
      froms.push(edge.from);
      finals.push(state);
      dues.push(dueAt(state));
      chain.forEach((to, index) => {
        steps.start.push(edge.from);
        steps.k.push(index + 1);
        steps.from.push(index === 0 ? edge.from : (chain[index - 1] ?? edge.from));
        steps.to.push(to);
      });
    }
    if (froms.length === 0) return undefined;
    const count = events.length;
    const values: StepStatementValues = {
      key: sql`${key}`,
      froms: sql`${froms}`,
      finals: sql`${finals}`,
      dues: sql`${dues}`,
      machineId: sql`${machine.id}`,
      machineVersion: sql`${machine.version}`,
      count: sql`${count}`,
      eventIds: sql`${eventIds}`,
      expectedVersion: sql`${expectedVersion ?? null}`,
      stepStarts: sql`${steps.start}`,
      stepPositions: sql`${steps.k}`,
      stepEvents: sql`${steps.k.map((k) => events[k - 1] ?? first)}`,
      stepFroms: sql`${steps.from}`,
      stepTos: sql`${steps.to}`,
      stepEventIds: sql`${steps.k.map((k) => eventIds[k - 1] ?? eventIds[0])}`,
      actor: sql`${context.actor}`,
      reason: sql`${reason}`,
      payload: sql`${payload?.text ?? null}`,
    };
    // With the step function (functionMigration, made for this deadline setting), the same statement runs
    // from a plan the session keeps instead of being parsed and planned on every call.
    const statement =
      facts.hasStepFunction && facts.hasDeadlineColumn === withDeadlines
        ? stepFunctionCall(tables, withDeadlines, values)
        : stepStatement(tables, facts.hasDeadlineColumn, values);
    const { rows } = await (statement as RawBuilder<StepRow>).execute(trx);
    const row = rows[0];
    if (row === undefined) return undefined;
    // Unreachable (the INSERT writes one row per event of a chain the UPDATE matched); kept so a logic
    // error can never return a half-recorded step.
    if (rows.length !== count) throw new VersionConflictError(row.id, row.version ?? 0, -1);
    const snapshot = toSnapshot(row);
    const entries = rows.map(
      (written): AuditEntry => ({
        machineId: machine.id,
        aggregateId: snapshot.id,
        version: written.auditVersion,
        kind: 'transition',
        event: written.auditEvent,
        from: written.auditFrom,
        to: written.auditTo,
        eventId: written.auditEventId,
        actor: context.actor,
        reason,
        payload: written.payload,
        machineVersion: machine.version,
        at: written.at,
      }),
    );
    return { from: row.from as S, snapshot, entries };
  }

  /** `events` of `advance`: one event of the machine, or 1-16 of them. */
  function eventsOf(value: unknown): readonly [E, ...E[]] {
    const list: readonly unknown[] = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && (value.length === 0 || value.length > MAX_ADVANCE_EVENTS)) {
      throw new StateMachineInputError(
        'events',
        `must be one event or 1-${MAX_ADVANCE_EVENTS} events, got ${value.length} events`,
      );
    }
    for (const [index, event] of list.entries()) {
      if (typeof event !== 'string' || !(machine.events as readonly string[]).includes(event)) {
        throw new StateMachineInputError(
          Array.isArray(value) ? fieldPath('events', index) : 'events',
          `${JSON.stringify(event)?.slice(0, 80) ?? String(event)} is not an event of machine ${machine.id}`,
        );
      }
    }
    return list as readonly [E, ...E[]];
  }

  return Object.freeze({
    machine,

    migration(migrationOptions?: StateStoreMigrationOptions): Migration {
      return stateStoreMigration(tables, migrationOptions);
    },

    migrationSql(direction: 'up' | 'down', migrationOptions?: StateStoreMigrationOptions): string {
      return stateStoreMigrationSql(tables, direction, migrationOptions);
    },

    functionMigration(): Migration {
      return stepFunctionMigration(tables, withDeadlines);
    },
    functionMigrationSql(direction: 'up' | 'down'): string {
      return stepFunctionMigrationSql(tables, withDeadlines, direction);
    },
    deadlineMigration(): Migration {
      return deadlineMigration(tables, machineDeadlines);
    },

    deadlineMigrationSql(direction: 'up' | 'down'): string {
      return deadlineMigrationSql(tables, machineDeadlines, direction);
    },

    async fireDue(db: unknown, fireOptions?: unknown): Promise<FireDueResult> {
      const kysely = kyselyOf(db);
      return fireBatch(kysely, fireDueOptions(fireOptions));
    },

    async runDeadlines(db: unknown, loopOptions: unknown): Promise<DeadlineRunResult> {
      const kysely = kyselyOf(db);
      const run = runOptions(loopOptions);
      const end = performance.now() + run.forMs;
      let fired = 0;
      let failed = 0;
      let batches = 0;
      while (run.signal?.aborted !== true && performance.now() < end) {
        let full = false;
        let caughtUp = false;
        try {
          const batch = await fireBatch(kysely, run);
          fired += batch.fired;
          failed += batch.failed;
          full = batch.claimed >= run.limit && batch.failed < batch.claimed;
          caughtUp = !full && batch.failed === 0;
        } catch (error) {
          // A configuration fault does not heal by waiting: it is thrown. Anything else (the database
          // unreachable, say) is reported and retried after a pause.
          if (error instanceof StateMachineConfigError) throw error;
          notify(run.observer, 'error', { id: undefined, error });
        }
        batches += 1;
        if (caughtUp && run.untilIdle) break;
        if (!full) await pause(Math.min(run.idleMs, Math.max(0, end - performance.now())), run.signal);
      }
      return { fired, failed, batches };
    },

    async deadlineStats(db: unknown): Promise<DeadlineStats> {
      const executor = executorOf(db);
      const facts = await aggregateTable(executor);
      if (!facts.hasDeadlineColumn) return { overdue: 0, oldestOverdueAgeSeconds: null };
      const time = currentTime();
      const { rows } = await sql<{ overdue: number; oldest: Date | null }>`SELECT count(*)::integer AS overdue,
          min(deadline_at) AS oldest FROM ${tables.aggregate}
        WHERE deadline_at <= ${new Date(time).toISOString()}::timestamptz`.execute(executor);
      const row = rows[0];
      const oldest = row?.oldest ?? null;
      return {
        overdue: row?.overdue ?? 0,
        oldestOverdueAgeSeconds: oldest === null ? null : Math.max(0, Math.floor((time - oldest.getTime()) / 1000)),
      };
    },

    async create(transaction: unknown, input: CreateInput): Promise<ApplyResult<S>> {
      const trx = transactionOf(transaction);
      requireInput(input);
      requireText('id', input.id);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = optionalReason(input.reason);
      const payload = payloadJson(input.payload);
      const initial = machine.initial as S;
      const facts = await aggregateTable(trx);
      const id = canonicalId(facts.id, input.id);
      if (id === undefined) {
        throw new StateMachineInputError('id', `must be ${describeIdColumn(facts.id)} (the id column's type)`);
      }
      // Your row may exist already (state columns NULL): initialise it. Otherwise insert one. A row that has
      // a state is either this create replayed (same event id) or a conflict.
      let row = (
        await sql<AggregateRow>`UPDATE ${tables.aggregate} SET state = ${initial}, version = 1,
          machine_version = ${machine.version}, state_created_at = now(), state_updated_at = now()
          ${setDeadline(facts, initial)}
          WHERE ${tables.idColumn} = ${id} AND state IS NULL RETURNING ${aggregateColumns}`.execute(trx)
      ).rows[0];
      // Insert only when no row exists: Postgres checks your NOT NULL columns before ON CONFLICT, so an
      // INSERT over an existing row of yours would fail instead of conflicting.
      const exists = row !== undefined || (await rowExists(trx, id));
      if (!exists && facts.requiredColumns.length > 0) {
        // The INSERT below would fail (23502) and abort the caller's transaction.
        throw new StateMachineInputError(
          'id',
          `no row ${JSON.stringify(id)} in ${tables.names.aggregateTable}: insert your row first ` +
            `(${facts.requiredColumns.join(', ')} must be set), then call create in the same transaction`,
        );
      }
      if (!exists) {
        row = (
          await sql<AggregateRow>`INSERT INTO ${tables.aggregate}
            (${tables.idColumn}, state, version, machine_version, state_created_at, state_updated_at
              ${facts.hasDeadlineColumn ? sql`, deadline_at` : sql``})
            VALUES (${id}, ${initial}, 1, ${machine.version}, now(), now()
              ${facts.hasDeadlineColumn ? sql`, ${dueAt(initial)}::timestamptz` : sql``})
            ON CONFLICT (${tables.idColumn}) DO NOTHING RETURNING ${aggregateColumns}`.execute(trx)
        ).rows[0];
      }
      if (row === undefined) {
        const locked = await lockRow(trx, id);
        const previous = await recorded(trx, locked.id, eventId);
        if (previous === undefined) throw new AlreadyExistsError(id);
        if (previous.kind !== 'created') throw new EventIdReusedError(id, eventId, describe(previous), 'create');
        return { applied: false, snapshot: toSnapshot(locked), entry: previous };
      }
      return record(
        trx,
        row,
        {
          kind: 'created',
          event: null,
          from: null,
          to: initial,
          eventId,
          actor,
          reason,
        },
        payload,
      );
    },

    async apply(transaction: unknown, input: ApplyInput<E>): Promise<ApplyResult<S>> {
      const trx = transactionOf(transaction);
      requireInput(input);
      const id = requireText('id', input.id);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = optionalReason(input.reason);
      const expectedVersion = optionalVersion(input.expectedVersion);
      const payload = payloadJson(input.payload);
      const event = input.event;
      if (typeof event !== 'string' || !(machine.events as readonly string[]).includes(event)) {
        throw new StateMachineInputError('event', `${JSON.stringify(event)} is not an event of machine ${machine.id}`);
      }
      const key = await existingKey(trx, id);
      // Guards see the payload as it will be recorded (JSON), so the audit row shows what they decided on.
      const context = { payload: payload?.value, actor };
      // The common case in one statement: lock, event-id lookup, version check, update and audit row.
      const written = await applyInOneStatement(trx, key, event, eventId, expectedVersion, context, reason, payload);
      if (written !== undefined) {
        transitionSpanEvent({
          outcome: written.applied ? 'applied' : 'duplicate',
          machineId: machine.id,
          aggregateId: id,
          event,
          to: written.snapshot.state,
        });
        return written;
      }
      // Not written in one statement: a replay, a refusal, an unknown row, or a lookup the statement's
      // snapshot could not answer. Lock first, then look for the event id: a concurrent duplicate waits here
      // for the first one to commit and then finds its audit row.
      const { locked, found } = await lockAndFind(trx, key, [eventId]);
      const previous = found[0];
      if (previous !== undefined) {
        if (previous.kind !== 'transition' || previous.event !== event) {
          throw new EventIdReusedError(id, eventId, describe(previous), `event ${event}`);
        }
        transitionSpanEvent({ outcome: 'duplicate', machineId: machine.id, aggregateId: id, event });
        return { applied: false, snapshot: toSnapshot(locked), entry: previous };
      }
      const current = toSnapshot(locked);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(id, expectedVersion, current.version);
      }
      const to = transition(machine, current.state, event, context) as S;
      const change = await writeChange(
        trx,
        locked,
        { kind: 'transition', event, from: current.state, to, eventId, actor, reason },
        payload,
      );
      transitionSpanEvent({
        outcome: 'applied',
        machineId: machine.id,
        aggregateId: id,
        event,
        from: current.state,
        to,
      });
      return change;
    },

    async advance(
      transaction: unknown,
      input: AdvanceInput<E>,
      onApplied?: (trx: never, result: AdvanceApplied<S, E>) => Promise<void> | void,
    ): Promise<AdvanceResult<S, E>> {
      const trx = transactionOf(transaction);
      requireInput(input);
      const id = requireText('id', input.id);
      const events = eventsOf(input.events);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = optionalReason(input.reason);
      const expectedVersion = optionalVersion(input.expectedVersion);
      const payload = payloadJson(input.payload);
      if (onApplied !== undefined && typeof onApplied !== 'function') {
        throw new StateMachineInputError('onApplied', `must be a function, got ${typeof onApplied}`);
      }
      const eventIds = events.map((_, index) => (index === 0 ? eventId : `${eventId}#${index + 1}`));
      const key = await existingKey(trx, id);
      // Guards see the payload as it will be recorded (JSON), so the audit row shows what they decided on.
      const context = { payload: payload?.value, actor };
      // The applied outcome, whichever path wrote it: its span event, then `onApplied` in the caller's own
      // transaction (typed, in `StateStore`, as the trx it passed).
      const applied = async (
        from: string,
        snapshot: AdvanceApplied<S, E>['snapshot'],
        entries: AdvanceApplied<S, E>['entries'],
      ): Promise<AdvanceApplied<S, E>> => {
        const result: AdvanceApplied<S, E> = { outcome: 'applied', snapshot, entries };
        transitionSpanEvent({
          outcome: 'applied',
          machineId: machine.id,
          aggregateId: id,
          event: events.join(','),
          from,
          to: snapshot.state,
        });
        if (onApplied !== undefined) await onApplied(trx as never, result);
        return result;
      };
      // The common case in one statement (lock, event-id lookup, version check, update, audit rows).
      // `onTransition` runs per change after its own write, so a hooked store writes a longer step change by
      // change (a hook may read the row and must see the state of its change).
      if (events.length === 1 || onTransition === undefined) {
        const written = await advanceInOneStatement(
          trx,
          key,
          events,
          eventIds,
          expectedVersion,
          context,
          reason,
          payload,
        );
        if (written !== undefined) {
          const { snapshot, entries } = written;
          if (onTransition !== undefined) {
            for (const entry of entries) {
              const change: StateChange<S, E> = {
                machineId: machine.id,
                id: snapshot.id,
                version: entry.version,
                kind: 'transition',
                event: entry.event as E,
                from: entry.from as S,
                to: entry.to as S,
                eventId: entry.eventId,
                actor,
                reason,
                payload: entry.payload,
              };
              await onTransition(trx as Transaction<DB>, change);
            }
          }
          return applied(written.from, snapshot, entries);
        }
      }
      const { locked, found } = await lockAndFind(trx, key, eventIds);
      if (found.length > 0) {
        // A redelivery is decided by the first event's id. A recorded id of this step that holds another
        // change (the first one, or a later one that does not match the requested event) is a reuse.
        const byId = new Map(found.map((entry) => [entry.eventId, entry]));
        const first = byId.get(eventId);
        const conflict = found.find((entry) => {
          const event = events[eventIds.indexOf(entry.eventId)];
          return entry.kind !== 'transition' || entry.event !== event;
        });
        if (first === undefined || conflict !== undefined) {
          const culprit = conflict ?? found[0];
          const recordedAs = culprit === undefined ? 'another change' : `${describe(culprit)} (as ${culprit.eventId})`;
          throw new EventIdReusedError(
            id,
            eventId,
            recordedAs,
            events.length === 1 ? `event ${events[0]}` : `a step of events ${events.join(', ')}`,
          );
        }
        transitionSpanEvent({ outcome: 'duplicate', machineId: machine.id, aggregateId: id, event: events[0] ?? '' });
        return { outcome: 'duplicate', snapshot: toSnapshot(locked), entries: found };
      }
      const current = toSnapshot(locked);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(id, expectedVersion, current.version);
      }
      // The whole chain first, with the pure transition: nothing is written unless every event fits.
      const steps: { readonly event: E; readonly from: S; readonly to: S }[] = [];
      let state = current.state;
      for (const [index, event] of events.entries()) {
        let to: S;
        try {
          to = transition(machine, state, event, context) as S;
        } catch (error) {
          if (index === 0 && error instanceof InvalidTransitionError) {
            transitionSpanEvent({ outcome: 'not-allowed', machineId: machine.id, aggregateId: id, event, from: state });
            return {
              outcome: 'not-allowed',
              state,
              event,
              snapshot: current,
              reason: error.reason,
              allowedEvents: error.allowedEvents as readonly E[],
            };
          }
          throw error;
        }
        steps.push({ event, from: state, to });
        state = to;
      }
      let row: Pick<AggregateRow, 'id' | 'version'> = locked;
      let snapshot = current;
      const entries: AuditEntry[] = [];
      for (const [index, step] of steps.entries()) {
        const written = await writeChange(
          trx,
          row,
          {
            kind: 'transition',
            event: step.event,
            from: step.from,
            to: step.to,
            eventId: eventIds[index] ?? eventId,
            actor,
            reason,
          },
          payload,
        );
        entries.push(written.entry);
        snapshot = written.snapshot;
        row = snapshot;
      }
      return applied(current.state, snapshot, entries);
    },

    async force(transaction: unknown, input: ForceInput<S>): Promise<ApplyResult<S>> {
      const trx = transactionOf(transaction);
      requireInput(input);
      const id = requireText('id', input.id);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = requireReason(input.reason);
      const expectedVersion = optionalVersion(input.expectedVersion);
      const payload = payloadJson(input.payload);
      const to = input.to;
      if (typeof to !== 'string' || !machineStates.includes(to)) {
        throw new StateMachineInputError('to', `${JSON.stringify(to)} is not a state of machine ${machine.id}`);
      }
      const { locked, found } = await lockAndFind(trx, await existingKey(trx, id), [eventId]);
      const previous = found[0];
      if (previous !== undefined) {
        if (previous.kind !== 'forced' || previous.to !== to) {
          throw new EventIdReusedError(id, eventId, describe(previous), `force to ${to}`);
        }
        return { applied: false, snapshot: toSnapshot(locked), entry: previous };
      }
      if (expectedVersion !== undefined && locked.version !== expectedVersion) {
        throw new VersionConflictError(id, expectedVersion, locked.version ?? 0);
      }
      // `from` is the raw stored state: repairing a row whose state the machine no longer knows is the point.
      return writeChange(
        trx,
        locked,
        { kind: 'forced', event: null, from: locked.state, to, eventId, actor, reason },
        payload,
      );
    },

    async get(db: unknown, id: string): Promise<Snapshot<S>> {
      const executor = executorOf(db);
      requireText('id', id);
      const key = await existingKey(executor, id);
      const { rows } = await sql<AggregateRow>`SELECT ${aggregateColumns} FROM ${tables.aggregate}
        WHERE ${tables.idColumn} = ${key}`.execute(executor);
      const row = rows[0];
      if (row === undefined) throw new NotFoundError(id);
      return toSnapshot(row);
    },

    async history(db: unknown, id: string): Promise<AuditEntry[]> {
      const executor = executorOf(db);
      requireText('id', id);
      const key = await keyOf(executor, id);
      if (key === undefined) return [];
      // Audit rows carry the row's own spelling (`'abc'` for `'ABC'` on a citext key): read it from the row,
      // so `history` finds what `get` and `apply` find.
      const { rows } = await sql<AuditRow>`SELECT ${auditColumns} FROM ${tables.audit}
        WHERE machine_id = ${machine.id} AND aggregate_id = coalesce(
          (SELECT ${tables.idColumn}::text FROM ${tables.aggregate} WHERE ${tables.idColumn} = ${key} LIMIT 1), ${key})
        ORDER BY version`.execute(executor);
      return rows.map(toEntry);
    },
  });
}

const MAX_INT4 = 2_147_483_647;

/** The actor of the audit entries `fireDue` writes. */
const DEADLINE_ACTOR = 'deadline';

/** What the store runs its statements on: the caller's `Kysely` or `Transaction`, whatever its database type. */
type Executor = QueryExecutorProvider;

function describe(entry: AuditEntry): string {
  if (entry.kind === 'transition') return `event ${entry.event ?? ''}`;
  if (entry.kind === 'forced') return `force to ${entry.to}`;
  return 'create';
}
