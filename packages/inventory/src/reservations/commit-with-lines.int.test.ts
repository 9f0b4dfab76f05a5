import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryInputError, ReservationNotFoundError, ReservationStateError } from '../errors.js';
import { readStockItems } from '../test-support/shard-items.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

// commit(orderId, { lines }): the lines the caller reserved let commit skip its read (one DynamoDB call)
// when they match an unsharded reservation; every other case is decided after the read, with the same
// answers as commit(orderId).
let t: TestInventory;
let calls: string[];
beforeEach(async () => {
  t = await createTestInventory({ maxAttempts: 100, backoff: { baseMs: 5, maxMs: 200 } });
  calls = [];
  t.client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
});
afterEach(() => t.drop());

async function level(sku: string) {
  return (await t.inventory.getAvailability([sku])).get(sku);
}

/** The DynamoDB calls `work` made. */
async function callsOf<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const start = calls.length;
  const result = await work();
  return { result, calls: calls.slice(start) };
}

describe('commit with the reserved lines', () => {
  it('matching lines: one TransactWriteItems, the units committed once; a repeat reads and says unchanged', async () => {
    const { inventory } = t;
    await inventory.setStock('a', 5);
    await inventory.setStock('b', 5);
    const lines = [
      { sku: 'b', quantity: 1 },
      { sku: 'a', quantity: 1 },
      { sku: 'a', quantity: 1 },
    ];
    await inventory.reserve('o-1', lines, { holdMs: 600_000 });
    // Order and repeated SKUs do not matter: the lines are normalized as reserve normalizes them.
    const first = await callsOf(() => inventory.commit('o-1', { lines }));
    expect(first.result).toEqual({ orderId: 'o-1', status: 'COMMITTED', changed: true });
    expect(first.calls).toEqual(['TransactWriteItems']);
    expect(await level('a')).toEqual({ sku: 'a', available: 3, reserved: 0, committed: 2 });
    expect(await level('b')).toEqual({ sku: 'b', available: 4, reserved: 0, committed: 1 });
    const again = await callsOf(() => inventory.commit('o-1', { lines }));
    expect(again.result).toEqual({ orderId: 'o-1', status: 'COMMITTED', changed: false });
    expect(await level('a')).toEqual({ sku: 'a', available: 3, reserved: 0, committed: 2 });
  });

  it('10 concurrent commits with lines: exactly one changes the stock', async () => {
    const { inventory } = t;
    await inventory.setStock('c', 10);
    await inventory.reserve('o-c', [{ sku: 'c', quantity: 3 }], { holdMs: 600_000 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => inventory.commit('o-c', { lines: [{ sku: 'c', quantity: 3 }] })),
    );
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(results.every((result) => result.status === 'COMMITTED')).toBe(true);
    expect(await level('c')).toEqual({ sku: 'c', available: 7, reserved: 0, committed: 3 });
  });

  it('other lines than reserved: decided after the read, the stored reservation is what is committed', async () => {
    const { inventory } = t;
    await inventory.setStock('d', 10);
    await inventory.setStock('e', 10);
    await inventory.reserve('o-d', [{ sku: 'd', quantity: 2 }], { holdMs: 600_000 });
    const { result, calls: made } = await callsOf(() =>
      inventory.commit('o-d', {
        lines: [
          { sku: 'd', quantity: 5 },
          { sku: 'e', quantity: 1 },
        ],
      }),
    );
    expect(result).toEqual({ orderId: 'o-d', status: 'COMMITTED', changed: true });
    expect(made).toEqual(['TransactWriteItems', 'GetItem', 'TransactWriteItems']);
    expect(await level('d')).toEqual({ sku: 'd', available: 8, reserved: 0, committed: 2 });
    expect(await level('e')).toEqual({ sku: 'e', available: 10, reserved: 0, committed: 0 });
  });

  it('a released reservation is ReservationStateError, a missing one ReservationNotFoundError, stock untouched', async () => {
    const { inventory } = t;
    await inventory.setStock('f', 10);
    await inventory.reserve('o-f', [{ sku: 'f', quantity: 4 }], { holdMs: 600_000 });
    await inventory.release('o-f');
    await expect(inventory.commit('o-f', { lines: [{ sku: 'f', quantity: 4 }] })).rejects.toBeInstanceOf(
      ReservationStateError,
    );
    await expect(inventory.commit('o-none', { lines: [{ sku: 'f', quantity: 4 }] })).rejects.toBeInstanceOf(
      ReservationNotFoundError,
    );
    expect(await level('f')).toEqual({ sku: 'f', available: 10, reserved: 0, committed: 0 });
  });

  it('a reservation on shards: decided after the read, its units committed on the shards they came from', async () => {
    const { inventory } = t;
    const shards = 4;
    await inventory.setStock('s', 40, { shards });
    await inventory.reserve('o-s', [{ sku: 's', quantity: 2 }], { holdMs: 600_000 });
    const { result, calls: made } = await callsOf(() =>
      inventory.commit('o-s', { lines: [{ sku: 's', quantity: 2 }] }),
    );
    expect(result.changed).toBe(true);
    expect(made.slice(-2)).toEqual(['GetItem', 'TransactWriteItems']);
    const items = await readStockItems(t, 's', shards);
    const all = [items.main, ...items.shards];
    expect(all.reduce((sum, item) => sum + (item?.committed ?? 0), 0)).toBe(2);
    expect(all.reduce((sum, item) => sum + (item?.reserved ?? 0), 0)).toBe(0);
    expect(all.every((item) => (item?.reserved ?? 0) >= 0)).toBe(true);
  });

  it('bad options are InventoryInputError naming the field, before any request', async () => {
    const { inventory } = t;
    const attempt = (options: unknown) =>
      callsOf(() => inventory.commit('o-x', options as never).catch((error: unknown) => error));
    for (const [options, field] of [
      [null, 'options'],
      ['lines', 'options'],
      [{ lines: [] }, 'options.lines'],
      [{ lines: [{ sku: 'x', quantity: 0 }] }, 'options.lines[0].quantity'],
      [{ lines: [{ sku: '', quantity: 1 }] }, 'options.lines[0].sku'],
    ] as const) {
      const { result, calls: made } = await attempt(options);
      expect(result).toBeInstanceOf(InventoryInputError);
      expect(result).toMatchObject({ code: 'INVENTORY_INVALID_INPUT', field });
      expect(made).toEqual([]);
    }
    // Without lines it behaves as commit(orderId).
    await expect(inventory.commit('o-x', {})).rejects.toBeInstanceOf(ReservationNotFoundError);
  });
});
