import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInventory } from '../inventory.js';
import { createTestInventory, newTestClient, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory();
});
afterEach(() => t.drop());

/**
 * A client whose first `TransactWriteItems` reaches DynamoDB and is applied, but whose response is
 * "lost": the SDK sees a timeout. With `maxAttempts > 1` the SDK sends the same request again (same
 * ClientRequestToken); with 1 the ambiguous error reaches the caller.
 */
function clientThatLosesFirstResponse(maxAttempts: number): { client: DynamoDBClient; sends: () => number } {
  const client = newTestClient({ maxAttempts });
  let lost = false;
  let sends = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      sends += 1;
      const response = await next(args);
      if (!lost) {
        lost = true;
        throw Object.assign(new Error('response lost after the write was applied'), {
          name: 'TimeoutError',
          $metadata: {},
        });
      }
      return response;
    },
    { step: 'deserialize', name: 'loseFirstTransactResponse' },
  );
  return { client, sends: () => sends };
}

describe('reserve after a lost response', () => {
  it('the SDK retry of an applied request does not take stock twice', async () => {
    const { client, sends } = clientThatLosesFirstResponse(3);
    const inventory = createInventory({ client, tableName: t.tableName });
    await inventory.setStock('lost', 5);
    const result = await inventory.reserve('order-lost', [{ sku: 'lost', quantity: 2 }], { holdMs: 600_000 });
    expect(sends()).toBe(2);
    // An endpoint that honours the token answers success (replayed: false, this call did reserve);
    // one that ignores it fails the reservation's attribute_not_exists (replayed: true). Both: one decrement.
    expect(result.ok).toBe(true);
    expect((await inventory.getAvailability(['lost'])).get('lost')).toMatchObject({ available: 3, reserved: 2 });
    client.destroy();
  });

  it('a caller retry after the SDK gave up finds the reservation and takes nothing', async () => {
    const { client } = clientThatLosesFirstResponse(1);
    const ambiguous = createInventory({ client, tableName: t.tableName });
    await t.inventory.setStock('gave-up', 5);
    await expect(
      ambiguous.reserve('order-gave-up', [{ sku: 'gave-up', quantity: 2 }], { holdMs: 600_000 }),
    ).rejects.toThrow('response lost');
    const retry = await ambiguous.reserve('order-gave-up', [{ sku: 'gave-up', quantity: 2 }], { holdMs: 600_000 });
    expect(retry).toMatchObject({ ok: true, replayed: true });
    expect((await t.inventory.getAvailability(['gave-up'])).get('gave-up')).toMatchObject({
      available: 3,
      reserved: 2,
    });
    client.destroy();
  });

  for (const applied of [true, false]) {
    it(`a 500 ${applied ? 'after' : 'before'} the write is resent with the same token: one decrement, acknowledged to this call`, async () => {
      const client = newTestClient({ maxAttempts: 1 });
      let failNext = true;
      let failed = 0;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'TransactWriteItemsCommand' || !failNext) return next(args);
          failNext = false;
          failed += 1;
          if (applied) await next(args);
          throw Object.assign(new Error('We encountered an internal error'), {
            name: 'InternalServerError',
            $metadata: {},
          });
        },
        { step: 'deserialize', name: 'internalServerError' },
      );
      const inventory = createInventory({ client, tableName: t.tableName, backoff: { baseMs: 1, maxMs: 5 } });
      const sku = `ise-${applied}`;
      await inventory.setStock(sku, 5);

      const reserved = await inventory.reserve(`order-${sku}`, [{ sku, quantity: 2 }], { holdMs: 600_000 });
      expect(reserved).toMatchObject({ ok: true, replayed: false, attempts: 2 });
      expect((await inventory.getAvailability([sku])).get(sku)).toMatchObject({ available: 3, reserved: 2 });

      failNext = true;
      const released = await inventory.release(`order-${sku}`);
      expect(released).toEqual({ orderId: `order-${sku}`, status: 'RELEASED', changed: true });
      expect((await inventory.getAvailability([sku])).get(sku)).toMatchObject({ available: 5, reserved: 0 });
      expect(failed).toBe(2);
      client.destroy();
    });
  }
});
