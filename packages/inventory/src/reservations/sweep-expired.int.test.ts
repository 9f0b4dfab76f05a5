import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInventory } from '../inventory.js';
import { createTestInventory, newTestClient, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory({ pendingShards: 4, maxAttempts: 100, backoff: { baseMs: 5, maxMs: 200 } });
});
afterEach(() => t.drop());

const later = (seconds: number) => Date.now() + seconds * 1000;

describe('sweepExpired', () => {
  it('two sweepers racing over the same expired reservations return each one’s stock exactly once', async () => {
    const { inventory } = t;
    await inventory.setStock('sweep-a', 100);
    await inventory.setStock('sweep-b', 100);
    const orders = Array.from({ length: 40 }, (_, i) => `expiring-${i}`);
    for (const [i, orderId] of orders.entries()) {
      const lines = [{ sku: 'sweep-a', quantity: 1 }, ...(i % 2 === 0 ? [{ sku: 'sweep-b', quantity: 2 }] : [])];
      const result = await inventory.reserve(orderId, lines, { holdMs: 30_000 });
      expect(result.ok).toBe(true);
    }
    // One long-lived reservation that must survive the sweep.
    await inventory.reserve('long-lived', [{ sku: 'sweep-a', quantity: 5 }], { holdMs: 3600_000 });
    expect((await inventory.getAvailability(['sweep-a'])).get('sweep-a')).toMatchObject({
      available: 55,
      reserved: 45,
    });

    const now = later(60);
    const sweeperA = t.open();
    const sweeperB = t.open();
    const [a, b] = await Promise.all([
      sweeperA.sweepExpired({ now, concurrency: 8 }),
      sweeperB.sweepExpired({ now, concurrency: 8 }),
    ]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.expired + b.expired).toBe(40);
    expect(a.expired + a.alreadySettled).toBe(a.examined);
    expect(b.expired + b.alreadySettled).toBe(b.examined);

    const levels = await inventory.getAvailability(['sweep-a', 'sweep-b']);
    expect(levels.get('sweep-a')).toEqual({ sku: 'sweep-a', available: 95, reserved: 5, committed: 0 });
    expect(levels.get('sweep-b')).toEqual({ sku: 'sweep-b', available: 100, reserved: 0, committed: 0 });
    expect((await inventory.getReservation('expiring-0'))?.status).toBe('EXPIRED');
    expect((await inventory.getReservation('long-lived'))?.status).toBe('PENDING');

    // A third sweep finds nothing left (the sparse index dropped the expired ones).
    expect(await inventory.sweepExpired({ now })).toEqual({ examined: 0, expired: 0, alreadySettled: 0, failed: 0 });
  });

  it('does not expire reservations before their deadline', async () => {
    const { inventory } = t;
    await inventory.setStock('fresh', 3);
    await inventory.reserve('fresh-order', [{ sku: 'fresh', quantity: 1 }], { holdMs: 120_000 });
    await inventory.sweepExpired({ now: later(60) });
    expect((await inventory.getReservation('fresh-order'))?.status).toBe('PENDING');
    expect((await inventory.getAvailability(['fresh'])).get('fresh')).toMatchObject({ available: 2, reserved: 1 });
  });

  it('a sweeper racing commit: one wins, stock moves once', async () => {
    const { inventory } = t;
    await inventory.setStock('contest', 10);
    const orders = Array.from({ length: 10 }, (_, i) => `contest-${i}`);
    for (const orderId of orders)
      await inventory.reserve(orderId, [{ sku: 'contest', quantity: 1 }], { holdMs: 1_000 });
    const [sweep, ...commits] = await Promise.all([
      inventory.sweepExpired({ now: later(30) }),
      ...orders.map((orderId) => inventory.commit(orderId).catch(() => 'lost' as const)),
    ]);
    const committed = commits.filter((result) => result !== 'lost' && result.changed).length;
    expect(committed + (sweep?.expired ?? 0)).toBe(10);
    expect((await inventory.getAvailability(['contest'])).get('contest')).toEqual({
      sku: 'contest',
      available: 10 - committed,
      reserved: 0,
      committed,
    });
  });

  it('release of an expired reservation is an idempotent no-op', async () => {
    const { inventory } = t;
    await inventory.setStock('exp-rel', 1);
    await inventory.reserve('exp-rel-order', [{ sku: 'exp-rel', quantity: 1 }], { holdMs: 1_000 });
    const sweep = await inventory.sweepExpired({ now: later(30) });
    expect(sweep.expired).toBeGreaterThanOrEqual(1);
    expect(await inventory.release('exp-rel-order')).toEqual({
      orderId: 'exp-rel-order',
      status: 'EXPIRED',
      changed: false,
    });
    expect((await inventory.getAvailability(['exp-rel'])).get('exp-rel')).toMatchObject({ available: 1, reserved: 0 });
  });

  it('a late duplicate reserve of an expired order replays the expired reservation and takes nothing', async () => {
    const { inventory } = t;
    await inventory.setStock('late', 1);
    await inventory.reserve('late-order', [{ sku: 'late', quantity: 1 }], { holdMs: 1_000 });
    await inventory.sweepExpired({ now: later(30) });
    const again = await inventory.reserve('late-order', [{ sku: 'late', quantity: 1 }], { holdMs: 60_000 });
    expect(again).toMatchObject({ ok: true, replayed: true, reservation: { status: 'EXPIRED' } });
    expect((await inventory.getAvailability(['late'])).get('late')).toMatchObject({ available: 1, reserved: 0 });
  });

  it('examines at most `limit` reservations per sweep (counted at the DynamoDB client), and drains in rounds', async () => {
    const writer = t.open({ pendingShards: 8 });
    await writer.setStock('limited', 20);
    for (let i = 0; i < 20; i += 1) {
      await writer.reserve(`limited-${i}`, [{ sku: 'limited', quantity: 1 }], { holdMs: 1_000 });
    }
    const client = newTestClient();
    const calls = new Map<string, number>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize' },
    );
    const sweeper = createInventory({ client, tableName: t.tableName, pendingShards: 8 });
    const now = later(60);
    try {
      const first = await sweeper.sweepExpired({ now, limit: 3, concurrency: 8 });
      expect(first).toEqual({ examined: 3, expired: 3, alreadySettled: 0, failed: 0 });
      // One read and one transaction per examined reservation; the index queries read at most 3 keys in all.
      expect(calls.get('GetItemCommand')).toBe(3);
      expect(calls.get('TransactWriteItemsCommand')).toBe(3);
      expect(calls.get('QueryCommand')).toBeLessThanOrEqual(8 + 3);

      const rounds = [first];
      for (let round = 0; round < 10 && rounds.at(-1)?.examined !== 0; round += 1) {
        rounds.push(await sweeper.sweepExpired({ now, limit: 3 }));
      }
      expect(rounds.every((round) => round.examined <= 3 && round.examined === round.expired)).toBe(true);
      expect(rounds.map((round) => round.expired).reduce((a, b) => a + b, 0)).toBe(20);
      expect(await sweeper.sweepExpired({ now, limit: 1 })).toMatchObject({ examined: 0 });
      expect((await writer.getAvailability(['limited'])).get('limited')).toMatchObject({ available: 20, reserved: 0 });
    } finally {
      client.destroy();
    }
  });

  it('limit 1 examines exactly one; a limit above the backlog examines all of it', async () => {
    const writer = t.open({ pendingShards: 8 });
    await writer.setStock('one', 10);
    for (let i = 0; i < 10; i += 1) {
      await writer.reserve(`one-${i}`, [{ sku: 'one', quantity: 1 }], { holdMs: 1_000 });
    }
    const now = later(60);
    expect(await writer.sweepExpired({ now, limit: 1 })).toEqual({
      examined: 1,
      expired: 1,
      alreadySettled: 0,
      failed: 0,
    });
    expect(await writer.sweepExpired({ now, limit: 500 })).toEqual({
      examined: 9,
      expired: 9,
      alreadySettled: 0,
      failed: 0,
    });
  });
});
