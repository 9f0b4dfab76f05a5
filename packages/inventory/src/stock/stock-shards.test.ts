import { describe, expect, it } from 'vitest';
import type { InventoryContext } from '../inventory-context.js';
import { createStockLayouts, learnLayout, pickParts } from './stock-shards.js';

function context(random = () => 0.5): InventoryContext {
  return { stockLayouts: createStockLayouts(), random } as unknown as InventoryContext;
}

describe('pickParts on a sharded SKU', () => {
  it('takes turns over the shards: as many reservations in flight as shards never share one', () => {
    const ctx = context();
    learnLayout(ctx, 'hot', { shards: 4, slots: 4 });
    const picks = Array.from({ length: 8 }, () => pickParts(ctx, 'hot', 1)?.[0]?.slot);
    expect(new Set(picks.slice(0, 4)).size).toBe(4);
    expect(picks.slice(4)).toEqual(picks.slice(0, 4));
  });

  it('starts at a random shard, so processes do not all start on the same one', () => {
    const starts = [0, 0.3, 0.6, 0.9].map((r) => {
      const ctx = context(() => r);
      learnLayout(ctx, 'hot', { shards: 4, slots: 4 });
      return pickParts(ctx, 'hot', 1)?.[0]?.slot;
    });
    expect(starts).toEqual([0, 1, 2, 3]);
  });

  it('skips shards last seen short of the quantity, and gives up (read a snapshot) when all are', () => {
    const ctx = context(() => 0);
    const entry = learnLayout(ctx, 'hot', { shards: 3, slots: 3 });
    if (entry === undefined) throw new Error('sharded SKU not cached');
    entry.hints = [5, 0, 5];
    expect([1, 2, 3].map(() => pickParts(ctx, 'hot', 2)?.[0]?.slot)).toEqual([0, 2, 0]);
    entry.hints = [1, 1, 1];
    expect(pickParts(ctx, 'hot', 2)).toBeUndefined();
  });

  it('an unsharded SKU is always its main item', () => {
    const ctx = context();
    expect(pickParts(ctx, 'plain', 3)).toEqual([{ slot: -1, quantity: 3 }]);
  });
});
