// Two sweepers racing (real concurrency on DynamoDB Local, random delays): generated reservations,
// some past their deadline, some committed or released while the sweepers run. Every reservation
// ends in exactly one final status, each unit of stock is returned at most once, and the levels are
// conserved and never negative.
import { setTimeout as sleep } from 'node:timers/promises';
import { propertyRuns } from '@checkout/testing/vitest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeAll(async () => {
  t = await createTestInventory({ pendingShards: 4, maxAttempts: 100, backoff: { baseMs: 5, maxMs: 100 } });
});
afterAll(async () => {
  await t.drop();
});

const reservation = fc.record({
  sku: fc.nat({ max: 1 }),
  quantity: fc.integer({ min: 1, max: 3 }),
  expired: fc.boolean(),
  // What a caller does while the sweepers run: nothing, commit, or release.
  settle: fc.constantFrom<'none' | 'commit' | 'release'>('none', 'commit', 'release'),
  delayMs: fc.integer({ min: 0, max: 20 }),
});

describe('two sweepers (real concurrency)', () => {
  it('every reservation ends settled once; stock returned at most once, conserved and never negative', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(reservation, { minLength: 1, maxLength: 8 }),
        fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })),
        async (plans, sweeperDelays) => {
          run += 1;
          const base = Math.ceil(Date.now() / 1000) * 1000 + 86_400_000 + run * 10_000_000;
          const inventory = t.open({ now: () => base });
          const skus = [`race-${run}-a`, `race-${run}-b`];
          const total = 20;
          for (const sku of skus) await inventory.setStock(sku, total);
          const orders = plans.map((_, i) => `race-${run}-o${i}`);
          for (const [i, plan] of plans.entries()) {
            const result = await inventory.reserve(
              orders[i] ?? '',
              [{ sku: skus[plan.sku] ?? '', quantity: plan.quantity }],
              { holdMs: plan.expired ? 1000 : 3_600_000 },
            );
            expect(result.ok).toBe(true);
          }
          const sweepAt = base + 60_000;
          const sweepers = sweeperDelays.map(async (delay) => {
            await sleep(delay);
            return t.open().sweepExpired({ now: sweepAt, concurrency: 4 });
          });
          const callers = plans.map(async (plan, i) => {
            if (plan.settle === 'none') return 'none';
            await sleep(plan.delayMs);
            const orderId = orders[i] ?? '';
            return (plan.settle === 'commit' ? inventory.commit(orderId) : inventory.release(orderId)).then(
              (result) => result.status,
              (error: unknown) => (error as { code?: string }).code ?? String(error),
            );
          });
          const [results, answers] = await Promise.all([Promise.all(sweepers), Promise.all(callers)]);
          for (const result of results) expect(result.failed).toBe(0);

          // Final statuses, and the stock each one implies.
          const expected = new Map(skus.map((sku) => [sku, { available: total, reserved: 0, committed: 0 }]));
          let expiredCount = 0;
          for (const [i, plan] of plans.entries()) {
            const stored = await inventory.getReservation(orders[i] ?? '');
            const status = stored?.status;
            const level = expected.get(skus[plan.sku] ?? '');
            if (level === undefined || status === undefined) throw new Error('missing reservation');
            const answer = answers[i];
            if (plan.settle === 'commit') {
              // The caller's answer and the stored status agree: committed, or refused because a sweeper expired it first.
              if (answer === 'COMMITTED') expect(status).toBe('COMMITTED');
              else expect([answer, status]).toEqual(['INVENTORY_RESERVATION_NOT_PENDING', 'EXPIRED']);
            }
            if (plan.settle === 'release') expect(['RELEASED', 'EXPIRED']).toContain(status);
            if (!plan.expired && plan.settle === 'none') expect(status).toBe('PENDING');
            if (!plan.expired) expect(status).not.toBe('EXPIRED');
            if (plan.expired && plan.settle === 'none') expect(status).toBe('EXPIRED');
            if (status === 'EXPIRED') expiredCount += 1;
            if (status === 'PENDING') {
              level.available -= plan.quantity;
              level.reserved += plan.quantity;
            } else if (status === 'COMMITTED') {
              level.available -= plan.quantity;
              level.committed += plan.quantity;
            }
          }
          // Each expiry counted by exactly one sweeper (sweeps from other runs' leftovers aside).
          expect(results.reduce((sum, r) => sum + r.expired, 0)).toBeGreaterThanOrEqual(expiredCount);
          const levels = await inventory.getAvailability(skus, { consistentRead: true });
          for (const sku of skus) {
            expect(levels.get(sku)).toEqual({ sku, ...expected.get(sku) });
            expect(levels.get(sku)?.available).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: propertyRuns(8) },
    );
  });
});
