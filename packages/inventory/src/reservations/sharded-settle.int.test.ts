import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStockItems } from '../test-support/shard-items.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory({ maxAttempts: 200, backoff: { baseMs: 5, maxMs: 200 } });
});
afterEach(() => t.drop());

describe('settling reservations of a sharded SKU', { timeout: 600_000 }, () => {
  it('commit, release and sweep move each reservation’s units on the shards it took them from; stock is conserved', async () => {
    const { inventory } = t;
    const shards = 4;
    await inventory.setStock('s', 40, { shards });
    const before = await readStockItems(t, 's', shards);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        inventory.reserve(`o-${i}`, [{ sku: 's', quantity: 1 }], { holdMs: i < 10 ? 1000 : 600_000 }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const reservedPerShard = (await readStockItems(t, 's', shards)).shards.map((shard) => shard?.reserved ?? 0);
    expect(reservedPerShard.reduce((a, b) => a + b, 0)).toBe(30);

    // Which shard each to-be-committed order took its unit from (stored on the reservation item).
    const committedFrom = new Map<number, number>();
    for (let i = 10; i < 20; i += 1) {
      const item = await t.client.send(
        new GetItemCommand({
          TableName: t.tableName,
          Key: { pk: { S: `ORDER#o-${i}` }, sk: { S: 'RESERVATION' } },
          ConsistentRead: true,
        }),
      );
      const slot = Number(item.Item?.allocations?.L?.[0]?.L?.[0]?.M?.slot?.N);
      committedFrom.set(slot, (committedFrom.get(slot) ?? 0) + 1);
    }

    // 10 expire (sweepers racing), 10 are committed, 10 released, all concurrently with repeats.
    const sweepAt = Date.now() + 5000;
    const [sweepA, sweepB] = await Promise.all([
      inventory.sweepExpired({ now: sweepAt }),
      t.open().sweepExpired({ now: sweepAt }),
      ...Array.from({ length: 10 }, (_, i) => inventory.commit(`o-${10 + i}`)),
      ...Array.from({ length: 10 }, (_, i) => inventory.release(`o-${20 + i}`)),
      ...Array.from({ length: 10 }, (_, i) => inventory.release(`o-${20 + i}`)),
    ]);
    expect((sweepA?.expired ?? 0) + (sweepB?.expired ?? 0)).toBe(10);

    // Every shard's reserved count is back to exactly 0 (a unit returned to the wrong shard would leave
    // one shard negative and another positive), and each shard's committed count is what was committed
    // from it (rebalancing moves only available units).
    const after = await readStockItems(t, 's', shards);
    for (const [slot, shard] of after.shards.entries()) {
      expect(shard?.reserved).toBe(0);
      expect(shard?.available).toBeGreaterThanOrEqual(0);
      expect(shard?.committed).toBe(committedFrom.get(slot) ?? 0);
    }
    expect(after.shards.reduce((sum, shard) => sum + (shard?.available ?? 0) + (shard?.committed ?? 0), 0)).toBe(
      before.shards.reduce((sum, shard) => sum + (shard?.available ?? 0), 0),
    );
    expect((await inventory.getAvailability(['s'])).get('s')).toEqual({
      sku: 's',
      available: 30,
      reserved: 0,
      committed: 10,
      shards,
    });
  });

  it('a hot sharded SKU under reserve/release churn from several inventories ends with every unit accounted for', async () => {
    const { inventory } = t;
    await inventory.setStock('churn', 12, { shards: 4 });
    const others = [t.open(), t.open()];
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const inv = others[i % 2] ?? inventory;
        const result = await inv.reserve(`c-${i}`, [{ sku: 'churn', quantity: 1 + (i % 2) }], { holdMs: 600_000 });
        if (result.ok && i % 3 === 0) await inv.release(`c-${i}`);
        return result.ok && i % 3 !== 0 ? 1 + (i % 2) : 0;
      }),
    );
    const held = outcomes.reduce((a, b) => a + b, 0);
    expect(held).toBeLessThanOrEqual(12);
    const level = (await inventory.getAvailability(['churn'])).get('churn');
    expect(level).toMatchObject({ reserved: held, available: 12 - held, committed: 0 });
    const items = await readStockItems(t, 'churn', 4);
    for (const item of [items.main, ...items.shards]) {
      expect(item?.available).toBeGreaterThanOrEqual(0);
      expect(item?.reserved).toBeGreaterThanOrEqual(0);
    }
  });
});
