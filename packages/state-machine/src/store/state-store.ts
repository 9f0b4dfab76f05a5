import { type Kysely, sql, type Transaction } from 'kysely';
import {
  AlreadyExistsError,
  EventIdReusedError,
  InvalidInputError,
  NotFoundError,
  UnknownStateError,
  VersionConflictError,
} from '../errors.js';
import { transition } from '../machine/transition.js';
import type { AnyMachine, EventOf, StateOf } from '../machine/types.js';
import { type AggregateTableFacts, canonicalId, describeIdColumn, readAggregateTable } from './aggregate-table.js';
import { type PayloadJson, payloadJson } from './payload-json.js';
import { resolveTables, type StateStoreTables } from './tables.js';
import type { ApplyResult, AuditEntry, AuditKind, JsonValue, Snapshot, StateChange } from './types.js';
import { optionalReason, optionalVersion, requireInput, requireReason, requireText } from './validate-input.js';

/** Options of {@link createStateStore}. */
export interface StateStoreOptions<M extends AnyMachine, DB> extends StateStoreTables {
  /** Used by `get` and `history` when no executor is passed. Writes always use the caller's transaction. */
  readonly db: Kysely<DB>;
  /** The machine whose transitions the store enforces. */
  readonly machine: M;
  /**
   * Runs after every change the store writes (`create`, `apply`, `force`; not for duplicates), in the same
   * transaction: enqueue outbox messages or write projections here, and they commit or roll back with the
   * state change. Throwing rolls the whole transaction back (when the caller lets the error propagate).
   */
  readonly onTransition?: (trx: Transaction<DB>, change: StateChange<StateOf<M>, EventOf<M>>) => Promise<void> | void;
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

/** Persistence of one machine's aggregates in Postgres, inside the caller's transactions. */
export interface StateStore<M extends AnyMachine, DB> {
  /** The machine this store enforces. */
  readonly machine: M;
  /**
   * Puts aggregate `id` in the machine's initial state at version 1 and records a `created` audit entry.
   * If your row already exists (inserted earlier in the same transaction, state columns still NULL) its
   * state columns are set; otherwise a row with only the id and the state columns is inserted.
   * Throws `AlreadyExistsError` when the aggregate already has a state under another event id, and
   * `InvalidInputError` (`id`) for an id the id column cannot hold (e.g. `'abc'` for a `bigint` key).
   */
  create(trx: Transaction<DB>, input: CreateInput): Promise<ApplyResult<StateOf<M>>>;
  /**
   * Applies `event` to aggregate `id` inside `trx`: locks the row, returns the recorded result if
   * `eventId` was seen before (writes nothing), checks `expectedVersion`, computes the next state with
   * the pure `transition`, bumps the version and appends one audit entry, then calls `onTransition`.
   * Throws `NotFoundError` (also for an id the id column cannot hold), `VersionConflictError`,
   * `InvalidTransitionError`, `EventIdReusedError`, `InvalidInputError` or `UnknownStateError`, having
   * written nothing; input is checked before any SQL, so `trx` stays usable after a refusal. The returned
   * `entry` is the audit row as stored, equal to what a replay and `history()` return.
   */
  apply(trx: Transaction<DB>, input: ApplyInput<EventOf<M>>): Promise<ApplyResult<StateOf<M>>>;
  /**
   * Manual repair: moves aggregate `id` to `to` regardless of the transitions (also out of a terminal or
   * unknown state), audited as `forced` with actor and reason. Idempotent by `eventId` like `apply`.
   */
  force(trx: Transaction<DB>, input: ForceInput<StateOf<M>>): Promise<ApplyResult<StateOf<M>>>;
  /**
   * The current state of `id` (read with `executor`, default the store's `db`); `NotFoundError` when it has
   * none or the id column cannot hold `id`.
   */
  get(id: string, executor?: Kysely<DB>): Promise<Snapshot<StateOf<M>>>;
  /** The audit timeline of `id`, oldest first (ordered by version); empty when there is none. */
  history(id: string, executor?: Kysely<DB>): Promise<AuditEntry[]>;
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
 * never opens or commits one itself, so the state change, its audit entry and your outbox rows commit
 * together or not at all. Table names are validated and quoted (`InvalidInputError` names the option).
 *
 * @example
 * ```ts
 * const store = createStateStore({ db, machine: orderMachine, aggregateTable: 'orders' });
 * await db.transaction().execute(async (trx) => {
 *   await store.apply(trx, { id: orderId, event: 'payment.authorized', eventId: messageId, actor: 'payment-worker' });
 *   await enqueue(trx, reserveInventoryCommand); // same commit
 * });
 * ```
 */
export function createStateStore<M extends AnyMachine, DB>(options: StateStoreOptions<M, DB>): StateStore<M, DB> {
  type S = StateOf<M>;
  type E = EventOf<M>;
  const { machine, db, onTransition } = options;
  const tables = resolveTables(options);
  const machineStates: readonly string[] = machine.states;
  if (!Number.isSafeInteger(machine.version) || machine.version > MAX_INT4) {
    throw new InvalidInputError('machine.version', `must fit the integer column machine_version (at most ${MAX_INT4})`);
  }
  // Read from the catalog on first use and kept (a successful read only): which ids the id column can hold.
  let tableFacts: AggregateTableFacts | undefined;

  const aggregateColumns = sql`${tables.idColumn}::text AS id, state, version, machine_version AS "machineVersion",
    state_created_at AS "createdAt", state_updated_at AS "updatedAt"`;
  const auditColumns = sql`machine_id AS "machineId", aggregate_id AS "aggregateId", version, kind, event,
    from_state AS "from", to_state AS "to", event_id AS "eventId", actor, reason, payload,
    machine_version AS "machineVersion", at`;

  function assertTransaction(trx: Transaction<DB>): void {
    if (typeof trx !== 'object' || trx === null || trx.isTransaction !== true) {
      throw new InvalidInputError(
        'trx',
        'must be a Kysely Transaction (db.transaction().execute(trx => ...)); the store never opens one itself',
      );
    }
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

  async function aggregateTable(executor: Kysely<DB>): Promise<AggregateTableFacts> {
    tableFacts ??= await readAggregateTable(executor as unknown as Kysely<unknown>, tables.names);
    return tableFacts;
  }

  /**
   * The id as the column spells it, or `undefined` when the column cannot hold it (no row can have it):
   * decided here, so a bad id never reaches a statement that would fail and abort the caller's transaction.
   */
  async function keyOf(executor: Kysely<DB>, id: string): Promise<string | undefined> {
    return canonicalId((await aggregateTable(executor)).id, id);
  }

  /** As {@link keyOf}, for a lookup that must find a row: `NotFoundError` when no row can have this id. */
  async function existingKey(executor: Kysely<DB>, id: string): Promise<string> {
    const key = await keyOf(executor, id);
    if (key === undefined) throw new NotFoundError(id);
    return key;
  }

  async function lockRow(trx: Transaction<DB>, id: string): Promise<AggregateRow> {
    const { rows } = await sql<AggregateRow>`SELECT ${aggregateColumns} FROM ${tables.aggregate}
      WHERE ${tables.idColumn} = ${id} FOR UPDATE`.execute(trx);
    const row = rows[0];
    if (row === undefined || row.state === null || row.version === null) throw new NotFoundError(id);
    return row;
  }

  async function rowExists(trx: Transaction<DB>, id: string): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM ${tables.aggregate} WHERE ${tables.idColumn} = ${id} FOR UPDATE`.execute(
      trx,
    );
    return rows.length > 0;
  }

  async function recorded(executor: Kysely<DB>, aggregateId: string, eventId: string): Promise<AuditEntry | undefined> {
    const { rows } = await sql<AuditRow>`SELECT ${auditColumns} FROM ${tables.audit}
      WHERE machine_id = ${machine.id} AND aggregate_id = ${aggregateId} AND event_id = ${eventId}`.execute(executor);
    return rows[0] === undefined ? undefined : toEntry(rows[0]);
  }

  // UPDATE and audit INSERT in one statement (one round trip): the INSERT selects from the UPDATE's result,
  // so no audit row can exist without its version bump.
  async function writeChange(
    trx: Transaction<DB>,
    locked: AggregateRow,
    change: Omit<StateChange<S, E>, 'machineId' | 'id' | 'version' | 'payload'>,
    payload: PayloadJson | undefined,
  ): Promise<ApplyResult<S>> {
    const { rows } = await sql<AggregateRow & { at: Date; payload: JsonValue | null }>`WITH updated AS (
        UPDATE ${tables.aggregate}
        SET state = ${change.to}, version = version + 1, machine_version = ${machine.version}, state_updated_at = now()
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
    trx: Transaction<DB>,
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
    trx: Transaction<DB>,
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
    if (onTransition !== undefined) await onTransition(trx, full);
    return { applied: true, snapshot, entry };
  }

  return Object.freeze({
    machine,

    async create(trx: Transaction<DB>, input: CreateInput): Promise<ApplyResult<S>> {
      assertTransaction(trx);
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
        throw new InvalidInputError('id', `must be ${describeIdColumn(facts.id)} (the id column's type)`);
      }
      // Your row may exist already (state columns NULL): initialise it. Otherwise insert one. A row that has
      // a state is either this create replayed (same event id) or a conflict.
      let row = (
        await sql<AggregateRow>`UPDATE ${tables.aggregate} SET state = ${initial}, version = 1,
          machine_version = ${machine.version}, state_created_at = now(), state_updated_at = now()
          WHERE ${tables.idColumn} = ${id} AND state IS NULL RETURNING ${aggregateColumns}`.execute(trx)
      ).rows[0];
      // Insert only when no row exists: Postgres checks your NOT NULL columns before ON CONFLICT, so an
      // INSERT over an existing row of yours would fail instead of conflicting.
      const exists = row !== undefined || (await rowExists(trx, id));
      if (!exists && facts.requiredColumns.length > 0) {
        // The INSERT below would fail (23502) and abort the caller's transaction.
        throw new InvalidInputError(
          'id',
          `no row ${JSON.stringify(id)} in ${tables.names.aggregateTable}: insert your row first ` +
            `(${facts.requiredColumns.join(', ')} must be set), then call create in the same transaction`,
        );
      }
      if (!exists) {
        row = (
          await sql<AggregateRow>`INSERT INTO ${tables.aggregate}
            (${tables.idColumn}, state, version, machine_version, state_created_at, state_updated_at)
            VALUES (${id}, ${initial}, 1, ${machine.version}, now(), now())
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

    async apply(trx: Transaction<DB>, input: ApplyInput<E>): Promise<ApplyResult<S>> {
      assertTransaction(trx);
      requireInput(input);
      const id = requireText('id', input.id);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = optionalReason(input.reason);
      const expectedVersion = optionalVersion(input.expectedVersion);
      const payload = payloadJson(input.payload);
      const event = input.event;
      if (typeof event !== 'string' || !(machine.events as readonly string[]).includes(event)) {
        throw new InvalidInputError('event', `${JSON.stringify(event)} is not an event of machine ${machine.id}`);
      }
      const key = await existingKey(trx, id);
      // Lock first, then look for the event id: a concurrent duplicate waits here for the first one to
      // commit and then finds its audit row (each statement sees the latest commits in READ COMMITTED).
      const locked = await lockRow(trx, key);
      const previous = await recorded(trx, locked.id, eventId);
      if (previous !== undefined) {
        if (previous.kind !== 'transition' || previous.event !== event) {
          throw new EventIdReusedError(id, eventId, describe(previous), `event ${event}`);
        }
        return { applied: false, snapshot: toSnapshot(locked), entry: previous };
      }
      const current = toSnapshot(locked);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new VersionConflictError(id, expectedVersion, current.version);
      }
      // Guards see the payload as it will be recorded (JSON), so the audit row shows what they decided on.
      const to = transition(machine, current.state, event, { payload: payload?.value, actor }) as S;
      return writeChange(
        trx,
        locked,
        { kind: 'transition', event, from: current.state, to, eventId, actor, reason },
        payload,
      );
    },

    async force(trx: Transaction<DB>, input: ForceInput<S>): Promise<ApplyResult<S>> {
      assertTransaction(trx);
      requireInput(input);
      const id = requireText('id', input.id);
      const eventId = requireText('eventId', input.eventId);
      const actor = requireText('actor', input.actor);
      const reason = requireReason(input.reason);
      const expectedVersion = optionalVersion(input.expectedVersion);
      const payload = payloadJson(input.payload);
      const to = input.to;
      if (typeof to !== 'string' || !machineStates.includes(to)) {
        throw new InvalidInputError('to', `${JSON.stringify(to)} is not a state of machine ${machine.id}`);
      }
      const locked = await lockRow(trx, await existingKey(trx, id));
      const previous = await recorded(trx, locked.id, eventId);
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

    async get(id: string, executor: Kysely<DB> = db): Promise<Snapshot<S>> {
      requireText('id', id);
      const key = await existingKey(executor, id);
      const { rows } = await sql<AggregateRow>`SELECT ${aggregateColumns} FROM ${tables.aggregate}
        WHERE ${tables.idColumn} = ${key}`.execute(executor);
      const row = rows[0];
      if (row === undefined) throw new NotFoundError(id);
      return toSnapshot(row);
    },

    async history(id: string, executor: Kysely<DB> = db): Promise<AuditEntry[]> {
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

function describe(entry: AuditEntry): string {
  if (entry.kind === 'transition') return `event ${entry.event ?? ''}`;
  if (entry.kind === 'forced') return `force to ${entry.to}`;
  return 'create';
}
