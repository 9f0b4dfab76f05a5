// Two relays and a late commit, with the database in the loop: generated writers (per-group
// serialized, groups concurrent, some rolling back) and one transaction that enqueues first and
// commits last, while two relays run rounds with random pauses and a publisher that fails some
// entries. Every committed row is accepted exactly once (the late one too), nothing rolled back is
// ever tried, and a group's row is only tried after the previous row of its group was accepted.
import { setTimeout as sleep } from 'node:timers/promises';
import { propertyRuns } from '@checkout/testing/vitest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishEntry } from '../publishers/publisher.js';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { createOutboxRelay } from './relay.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ poolSize: 16 });
});
afterAll(async () => {
  await f.close();
});

const GROUPS = ['g1', 'g2', 'g3', null] as const;
type Group = (typeof GROUPS)[number];
const writerPlan = fc.record({
  group: fc.constantFrom<Group>(...GROUPS),
  rows: fc.integer({ min: 1, max: 3 }),
  commit: fc.boolean(),
  holdMs: fc.integer({ min: 0, max: 15 }),
});
const plan = fc.record({
  writers: fc.array(writerPlan, { minLength: 1, maxLength: 10 }),
  lateRows: fc.integer({ min: 1, max: 3 }),
  lateHoldMs: fc.integer({ min: 20, max: 120 }),
  failRate: fc.constantFrom(0, 0.2, 0.4),
  relayPauseMs: fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 })),
  seed: fc.integer(),
});

describe('two relays and a late commit (real concurrency)', () => {
  it('every committed row accepted exactly once, in group order, the late one too; nothing rolled back', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(plan, async (p) => {
        run += 1;
        // A deterministic random source per run, so a failure replays the same fail decisions.
        let state = p.seed >>> 0 || 1;
        const random = () => {
          state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
          return state / 2 ** 32;
        };
        const lateGroup = `late-${run}`;
        const attempts: Array<{ entry: PublishEntry; ok: boolean }> = [];
        const relays = [0, 1].map(() =>
          createOutboxRelay({
            db: f.db,
            outbox: f.outbox,
            batchSize: 2,
            maxAttempts: 1000,
            backoff: { baseMs: 0, maxMs: 0 },
            publisher: {
              publish: async (entries) => {
                await sleep(Math.floor(random() * 3));
                return entries.map((entry) => {
                  const ok = random() >= p.failRate;
                  attempts.push({ entry, ok });
                  return ok ? { ok: true as const } : { ok: false as const, error: 'refused by the test' };
                });
              },
            },
          }),
        );
        const committed: Array<{ id: string; group: string | null }> = [];
        const rolledBack = new Set<string>();

        // The late transaction: enqueues before everyone, commits after everyone.
        let releaseLate!: () => void;
        const lateGate = new Promise<void>((resolve) => {
          releaseLate = resolve;
        });
        let lateIds: string[] = [];
        let lateStarted!: () => void;
        const lateHasRows = new Promise<void>((resolve) => {
          lateStarted = resolve;
        });
        const late = f.db.transaction().execute(async (trx) => {
          lateIds = (
            await f.outbox.enqueue(
              trx,
              Array.from({ length: p.lateRows }, (_, i) => ({
                destination: 'race',
                groupKey: lateGroup,
                body: { late: i },
              })),
            )
          ).map(String);
          lateStarted();
          await lateGate;
        });
        await lateHasRows;

        // Writers: serialized per group (as an aggregate's row lock would), groups concurrent.
        const chains = new Map<Group, Promise<void>>();
        for (const w of p.writers) {
          const previous = chains.get(w.group) ?? Promise.resolve();
          const next = previous.then(async () => {
            let ids: string[] = [];
            const attempt = f.db.transaction().execute(async (trx) => {
              ids = (
                await f.outbox.enqueue(
                  trx,
                  Array.from({ length: w.rows }, (_, i) => ({
                    destination: 'race',
                    ...(w.group === null ? {} : { groupKey: `${w.group}-${run}` }),
                    body: { i },
                  })),
                )
              ).map(String);
              await sleep(w.holdMs);
              if (!w.commit) throw new Error('roll back');
            });
            if (w.commit) {
              await attempt;
              for (const id of ids) committed.push({ id, group: w.group === null ? null : `${w.group}-${run}` });
            } else {
              await attempt.catch(() => undefined);
              for (const id of ids) rolledBack.add(id);
            }
          });
          chains.set(w.group, next);
        }

        let writing = true;
        const loops = relays.map(async (relay, i) => {
          while (writing) {
            await relay.runOnce();
            await sleep(p.relayPauseMs[i] ?? 0);
          }
        });
        await Promise.all(chains.values());
        await sleep(p.lateHoldMs);
        releaseLate();
        await late;
        for (const id of lateIds) committed.push({ id, group: lateGroup });
        writing = false;
        await Promise.all(loops);
        // Drain, bounded: both relays until every committed row is accepted.
        const wanted = new Set(committed.map((row) => row.id));
        const deadline = Date.now() + 30_000;
        const acceptedIds = () => new Set(attempts.filter((a) => a.ok).map((a) => a.entry.id));
        while ([...wanted].some((id) => !acceptedIds().has(id)) && Date.now() < deadline) {
          await Promise.all(relays.map((relay) => relay.runOnce()));
        }

        // Checks, over the log of every attempt in the order the publisher saw them.
        const groupOf = new Map(committed.map((row) => [row.id, row.group]));
        const byGroup = new Map<string, string[]>();
        for (const row of committed) {
          if (row.group === null) continue;
          byGroup.set(row.group, [...(byGroup.get(row.group) ?? []), row.id]);
        }
        const accepted = new Set<string>();
        for (const { entry, ok } of attempts) {
          if (!groupOf.has(entry.id) && !rolledBack.has(entry.id)) continue; // another run's leftovers
          expect(rolledBack.has(entry.id), `rolled-back row ${entry.id} was tried`).toBe(false);
          if (entry.groupKey !== null) {
            const order = byGroup.get(entry.groupKey) ?? [];
            for (const earlier of order.slice(0, order.indexOf(entry.id))) {
              expect(accepted.has(earlier), `row ${entry.id} tried before ${earlier} was accepted`).toBe(true);
            }
          }
          if (ok) {
            expect(accepted.has(entry.id), `row ${entry.id} accepted twice`).toBe(false);
            accepted.add(entry.id);
          }
        }
        for (const id of wanted) expect(accepted.has(id), `committed row ${id} never accepted`).toBe(true);
      }),
      { numRuns: propertyRuns(10) },
    );
  });
});
