// Properties of the state store on a real Postgres: generated ids, event ids, actors, reasons and
// payloads are refused with a typed error naming the field (nothing written, the transaction still
// usable) or stored and replayed in JSON's form; distinct event ids never share an audit row; and
// create / apply / force / replay / stale versions agree with a model of the order machine.
import { isCheckoutError } from '@checkout/core';
import { propertyRuns } from '@checkout/testing/vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventIdReusedError, InvalidTransitionError, StateMachineInputError, VersionConflictError } from '../errors.js';
import { canTransition, transition } from '../machine/transition.js';
import { type OrderEvent, type OrderState, orderMachine } from '../order/order-machine.js';
import { migrate } from '../test-support/migrate.js';
import { openTestDb, type TestDb } from '../test-support/test-database.js';
import { createStateStore, type StateStore } from './state-store.js';
import type { ApplyResult, JsonValue } from './types.js';

/** No unpaired UTF-16 surrogate (String#isWellFormed, which lib ES2023 does not type). */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

let t: TestDb;
// biome-ignore lint/suspicious/noExplicitAny: the test's own aggregate table is not in TestDatabase
let store: StateStore<typeof orderMachine, any>;
beforeAll(async () => {
  t = await openTestDb();
  await migrate(t.db, { schema: t.schema, aggregateTable: 'aggregates', createAggregateTable: true });
  store = createStateStore({ machine: orderMachine, schema: t.schema, aggregateTable: 'aggregates' });
});
afterAll(async () => {
  await t?.close();
});

let unique = 0;
function fresh(label: string): string {
  unique += 1;
  return `${label}-${Date.now().toString(36)}-${unique}`;
}

/** Text the rules accept: 1-200 UTF-16 units, not blank, well-formed, no U+0000. */
function textAccepted(text: unknown, max = 200): boolean {
  return (
    typeof text === 'string' &&
    text.length >= 1 &&
    text.length <= max &&
    text.trim().length > 0 &&
    wellFormed(text) &&
    !text.includes('\u0000')
  );
}
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\t', '\u0000', 'a\uD800', '\uDC00b', '😀', 'x'.repeat(201), 'é'.repeat(200)),
  },
);

/** Payloads: JSON data with hostile corners (lone surrogates, U+0000, -0, NaN, Map, Date, bigint, deep nesting). */
const { payload } = fc.letrec<{ payload: unknown }>((tie) => ({
  payload: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constantFrom<unknown>(null, -0, 1e300, 5e-324, undefined, new Date(0), Number.NaN, 10n, new Map(), new Set([1])),
    fc.array(tie('payload'), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), tie('payload'), { maxKeys: 3 }),
  ),
}));
const deep = fc.integer({ min: 95, max: 105 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
});

/** The documented payload rule, written independently: JSON data, no lone surrogates or U+0000, depth <= 100. */
function payloadAccepted(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return wellFormed(value) && !value.includes('\u0000');
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  if (typeof value !== 'object' || value instanceof Map || value instanceof Set) return false;
  if (depth >= 100) return false;
  if (Array.isArray(value)) return value.every((item) => item === undefined || payloadAccepted(item, depth + 1));
  return Object.entries(value).every(
    ([key, item]) =>
      wellFormed(key) && !key.includes('\u0000') && (item === undefined || payloadAccepted(item, depth + 1)),
  );
}

async function rowsFor(id: string): Promise<number> {
  return t.count('checkout_audit_events', `aggregate_id = ${sql.lit(id).compile(t.db).sql}`);
}

describe('state store inputs (property)', () => {
  it('create refuses a bad id, event id, actor, reason or payload with a typed error naming it and writes nothing; else it stores the payload in JSON form and replays it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          id: text,
          eventId: text,
          actor: text,
          reason: fc.option(text, { nil: undefined }),
          payload: fc.option(fc.oneof({ weight: 5, arbitrary: payload }, { weight: 1, arbitrary: deep }), {
            nil: undefined,
          }),
        }),
        async (input) => {
          // A fresh id per run (the generated one is a suffix), so runs never meet each other.
          const id = textAccepted(input.id) ? `${fresh('a')}${input.id}`.slice(0, 200) : input.id;
          const eventId = textAccepted(input.eventId) ? `${fresh('e')}${input.eventId}`.slice(0, 200) : input.eventId;
          const request = {
            id,
            eventId,
            actor: input.actor,
            ...(input.reason === undefined ? {} : { reason: input.reason }),
            ...(input.payload === undefined ? {} : { payload: input.payload as JsonValue }),
          };
          const good =
            textAccepted(id) &&
            textAccepted(eventId) &&
            textAccepted(input.actor) &&
            (input.reason === undefined || textAccepted(input.reason, 2000) || input.reason === '') &&
            (input.payload === undefined || payloadAccepted(input.payload));
          const outcome = await t.db.transaction().execute(async (trx) => {
            const result = await store.create(trx, request).then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            );
            // Our refusal never aborts the caller's transaction.
            const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(trx);
            expect(rows[0]?.one).toBe(1);
            return result;
          });
          if ('error' in outcome) {
            const error = outcome.error;
            expect(isCheckoutError(error)).toBe(true);
            expect(error, String(error)).toBeInstanceOf(StateMachineInputError);
            const field = (error as StateMachineInputError).field;
            expect(field).toMatch(/^(id|eventId|actor|reason|payload)/);
            if (typeof id === 'string' && wellFormed(id) && !id.includes('\u0000')) expect(await rowsFor(id)).toBe(0);
            // Refused only what the rules refuse (a reason may be refused for being blank).
            if (good) expect(field).toBe('reason');
            return;
          }
          expect(good, `accepted ${JSON.stringify(request)}`).toBe(true);
          const created = outcome.value;
          const stored = input.payload === undefined ? null : (JSON.parse(JSON.stringify(input.payload)) as unknown);
          expect(created.entry.payload).toEqual(stored);
          const replay = await t.db.transaction().execute((trx) => store.create(trx, request));
          expect(replay.applied).toBe(false);
          expect(replay.entry).toEqual(created.entry);
          expect(await store.history(t.db, id as string)).toEqual([created.entry]);
        },
      ),
      { numRuns: propertyRuns(50) },
    );
  });

  it('two different event ids never share an audit row', async () => {
    const valid = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((s) => textAccepted(s));
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(valid, valid).filter(([a, b]) => a !== b),
        async ([a, b]) => {
          const id = fresh('pair');
          const prefix = fresh('ev');
          await t.db.transaction().execute(async (trx) => {
            const first = await store.create(trx, { id, eventId: `${prefix}${a}`, actor: 'prop' });
            const second = await store.apply(trx, {
              id,
              event: 'payment.authorized',
              eventId: `${prefix}${b}`,
              actor: 'prop',
            });
            expect(first.applied).toBe(true);
            expect(second.applied).toBe(true);
          });
          expect(await rowsFor(id)).toBe(2);
        },
      ),
      { numRuns: propertyRuns(30) },
    );
  });
});

interface Model {
  readonly id: string;
  state: OrderState | undefined;
  version: number;
  /** Event ids used, with what they did (to know what a replay must answer). */
  readonly events: Map<string, string>;
  history: number;
}
type Command = fc.AsyncCommand<Model, { results: Map<string, ApplyResult> }>;
const EVENTS = [...new Set(orderMachine.transitions.map((edge) => edge.event))] as OrderEvent[];
const STATES = [...new Set(orderMachine.transitions.flatMap((edge) => [edge.from, edge.to]))] as OrderState[];

/** The transaction `t.db.transaction().execute` hands its callback. */
type Trx = Parameters<Parameters<ReturnType<TestDb['db']['transaction']>['execute']>[0]>[0];

async function attempt(run: (trx: Trx) => Promise<ApplyResult>) {
  return t.db
    .transaction()
    .execute(run)
    .then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
}

class Create implements Command {
  constructor(readonly eventPick: number) {}
  check = () => true;
  async run(model: Model, real: { results: Map<string, ApplyResult> }): Promise<void> {
    const eventId = `${model.id}/${this.eventPick}`;
    const outcome = await attempt((trx) => store.create(trx, { id: model.id, eventId, actor: 'model' }));
    expectReplayOr(model, real, eventId, outcome, 'created', null, 'create', () => {
      if (model.state !== undefined) return 'exists';
      model.state = orderMachine.initial as OrderState;
      model.version = 1;
      return 'applied';
    });
  }
  toString = () => `create(e${this.eventPick})`;
}

class Apply implements Command {
  constructor(
    readonly event: OrderEvent,
    readonly eventPick: number,
    readonly stale: boolean,
  ) {}
  // A stale expected version needs a version to be behind (and a create to stand on).
  check = (model: Readonly<Model>) => !this.stale || model.version >= 2;
  async run(model: Model, real: { results: Map<string, ApplyResult> }): Promise<void> {
    const eventId = `${model.id}/${this.eventPick}`;
    const outcome = await attempt((trx) =>
      store.apply(trx, {
        id: model.id,
        event: this.event,
        eventId,
        actor: 'model',
        ...(this.stale ? { expectedVersion: model.version - 1 } : {}),
      }),
    );
    expectReplayOr(model, real, eventId, outcome, 'transition', this.event, `apply ${this.event}`, () => {
      if (model.state === undefined) return 'missing';
      if (this.stale) return 'conflict';
      if (!canTransition(orderMachine, model.state, this.event)) return 'invalid';
      model.state = transition(orderMachine, model.state, this.event);
      model.version += 1;
      return 'applied';
    });
  }
  toString = () => `apply(${this.event}, e${this.eventPick}${this.stale ? ', stale' : ''})`;
}

class Force implements Command {
  constructor(
    readonly to: OrderState,
    readonly eventPick: number,
  ) {}
  check = () => true;
  async run(model: Model, real: { results: Map<string, ApplyResult> }): Promise<void> {
    const eventId = `${model.id}/${this.eventPick}`;
    const outcome = await attempt((trx) =>
      store.force(trx, { id: model.id, to: this.to, eventId, actor: 'support', reason: 'model repair' }),
    );
    expectReplayOr(model, real, eventId, outcome, 'forced', null, `force ${this.to}`, () => {
      if (model.state === undefined) return 'missing';
      model.state = this.to;
      model.version += 1;
      return 'applied';
    });
  }
  toString = () => `force(${this.to}, e${this.eventPick})`;
}

/**
 * An event id seen before replays its first result (same change) or is EventIdReusedError (another
 * change); a new one does what `fresh` says the model does.
 */
function expectReplayOr(
  model: Model,
  real: { results: Map<string, ApplyResult> },
  eventId: string,
  outcome: { value: ApplyResult } | { error: unknown },
  kind: string,
  event: string | null,
  signature: string,
  fresh: () => 'applied' | 'exists' | 'missing' | 'invalid' | 'conflict',
): void {
  const seen = model.events.get(eventId);
  if (seen !== undefined) {
    const first = real.results.get(eventId);
    if (seen === signature) {
      // Same event id, same change: a replay, nothing written, the first entry returned.
      expect('value' in outcome ? outcome.value.applied : outcome.error).toBe(false);
      if (!('value' in outcome)) return;
      expect(outcome.value.entry).toEqual(first?.entry);
      expect(outcome.value.snapshot.version).toBe(model.version);
    } else {
      expect('error' in outcome ? outcome.error : outcome.value, `${seen} then ${signature}`).toBeInstanceOf(
        EventIdReusedError,
      );
    }
    return;
  }
  const before = model.version;
  const expected = fresh();
  if (expected === 'applied') {
    expect('value' in outcome ? outcome.value.applied : outcome.error).toBe(true);
    if (!('value' in outcome)) return;
    expect(outcome.value.snapshot).toMatchObject({ id: model.id, state: model.state, version: model.version });
    expect(outcome.value.entry).toMatchObject({ kind, event, version: model.version, eventId });
    model.events.set(eventId, signature);
    real.results.set(eventId, outcome.value);
    model.history += 1;
    return;
  }
  expect('error' in outcome, `expected ${expected}`).toBe(true);
  const error = (outcome as { error: unknown }).error;
  expect(isCheckoutError(error)).toBe(true);
  if (expected === 'invalid') expect(error).toBeInstanceOf(InvalidTransitionError);
  if (expected === 'conflict') expect(error).toBeInstanceOf(VersionConflictError);
  if (expected === 'missing') expect((error as { code: string }).code).toBe('STATE_MACHINE_NOT_FOUND');
  if (expected === 'exists') expect((error as { code: string }).code).toBe('STATE_MACHINE_ALREADY_EXISTS');
  expect(model.version).toBe(before);
}

class CheckHistory implements Command {
  check = () => true;
  async run(model: Model): Promise<void> {
    const history = await store.history(t.db, model.id);
    expect(history).toHaveLength(model.history);
    expect(history.map((entry) => entry.version)).toEqual(history.map((_, i) => i + 1));
    const snapshot = await store.get(t.db, model.id).catch((error: unknown) => error);
    if (model.state === undefined) expect(snapshot).toMatchObject({ code: 'STATE_MACHINE_NOT_FOUND' });
    else expect(snapshot).toMatchObject({ state: model.state, version: model.version });
  }
  toString = () => 'checkHistory()';
}

const eventPick = fc.nat({ max: 6 });
const storeCommands = fc.commands(
  [
    eventPick.map((e): Command => new Create(e)),
    fc
      .tuple(fc.constantFrom(...EVENTS), eventPick, fc.boolean())
      .map(([ev, e, stale]): Command => new Apply(ev, e, stale)),
    fc.tuple(fc.constantFrom(...EVENTS), eventPick).map(([ev, e]): Command => new Apply(ev, e, false)),
    fc.tuple(fc.constantFrom(...STATES), eventPick).map(([to, e]): Command => new Force(to, e)),
    fc.constant(new CheckHistory()),
  ],
  { maxCommands: 20 },
);

describe('state store (model)', () => {
  it('create / apply / force / replays / stale versions agree with the order machine, and history is the list of applied changes', async () => {
    await fc.assert(
      fc.asyncProperty(storeCommands, async (list) => {
        const model: Model = { id: fresh('model'), state: undefined, version: 0, events: new Map(), history: 0 };
        await fc.asyncModelRun(() => ({ model, real: { results: new Map() } }), list);
        await new CheckHistory().run(model);
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});
