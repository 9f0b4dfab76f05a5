import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransactionContentionError } from '../errors.js';
import { createInventory } from '../inventory.js';
import { createTestInventory, newTestClient, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory();
});
afterEach(() => t.drop());

/**
 * DynamoDB Local queues concurrent transactions on one item instead of cancelling them the way
 * DynamoDB does under a hot SKU, so the conflicts are injected: the first `conflicts`
 * TransactWriteItems calls are cancelled with `TransactionConflict` before reaching the server.
 */
function clientWithConflicts(conflicts: number) {
  const client = newTestClient();
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && injected < conflicts) {
        injected += 1;
        const items = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          $metadata: {},
          CancellationReasons: Array.from({ length: items }, (_, i) => ({
            Code: i === 1 ? 'TransactionConflict' : 'None',
          })),
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectTransactionConflicts' },
  );
  return client;
}

describe('transaction conflicts', () => {
  it('are retried with backoff until the reservation goes through', async () => {
    const client = clientWithConflicts(4);
    const inventory = createInventory({
      client,
      tableName: t.tableName,
      maxAttempts: 10,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    await inventory.setStock('contended', 3);
    const result = await inventory.reserve('order-contended', [{ sku: 'contended', quantity: 1 }], { holdMs: 60_000 });
    expect(result).toMatchObject({ ok: true, replayed: false, attempts: 5 });
    expect((await inventory.getAvailability(['contended'])).get('contended')).toMatchObject({
      available: 2,
      reserved: 1,
    });
    client.destroy();
  });

  it('give up after maxAttempts with a typed, retryable error and nothing written', async () => {
    const client = clientWithConflicts(100);
    const inventory = createInventory({
      client,
      tableName: t.tableName,
      maxAttempts: 3,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    await inventory.setStock('stuck', 3);
    const error = await inventory
      .reserve('order-stuck', [{ sku: 'stuck', quantity: 1 }], { holdMs: 60_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionContentionError);
    expect(error).toMatchObject({
      code: 'INVENTORY_TRANSACTION_CONTENTION',
      httpStatus: 503,
      attempts: 3,
      // The backoff ceiling (5 ms) in whole seconds, at least 1.
      retryAfterSeconds: 1,
    });
    expect(await inventory.getReservation('order-stuck')).toBeUndefined();
    expect((await inventory.getAvailability(['stuck'])).get('stuck')).toMatchObject({ available: 3, reserved: 0 });
    await expect(inventory.release('order-stuck')).rejects.toMatchObject({ code: 'INVENTORY_RESERVATION_NOT_FOUND' });
    client.destroy();
  });

  it('on release are retried too, and the stock still moves once', async () => {
    await t.inventory.setStock('settle-conflict', 2);
    await t.inventory.reserve('order-settle-conflict', [{ sku: 'settle-conflict', quantity: 2 }], { holdMs: 60_000 });
    const client = clientWithConflicts(3);
    const inventory = createInventory({
      client,
      tableName: t.tableName,
      maxAttempts: 10,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    expect(await inventory.release('order-settle-conflict')).toMatchObject({ changed: true, status: 'RELEASED' });
    expect((await inventory.getAvailability(['settle-conflict'])).get('settle-conflict')).toMatchObject({
      available: 2,
      reserved: 0,
    });
    client.destroy();
  });

  it('a sweep reports each reservation it could not expire to observer.error, and a throwing hook breaks nothing', async () => {
    await t.inventory.setStock('sweep-conflict', 3);
    for (const orderId of ['sweep-conflict-1', 'sweep-conflict-2']) {
      await t.inventory.reserve(orderId, [{ sku: 'sweep-conflict', quantity: 1 }], { holdMs: 1_000 });
    }
    const client = clientWithConflicts(1_000);
    const events: Array<{ operation: string; orderId: string; error: unknown }> = [];
    const inventory = createInventory({
      client,
      tableName: t.tableName,
      maxAttempts: 2,
      backoff: { baseMs: 1, maxMs: 2 },
      observer: {
        error: (event) => {
          events.push(event);
          throw new Error('a broken hook');
        },
      },
    });
    const sweep = await inventory.sweepExpired({ now: Date.now() + 60_000 });
    expect(sweep).toEqual({ examined: 2, expired: 0, alreadySettled: 0, failed: 2 });
    expect(events.map((event) => [event.operation, event.orderId]).sort()).toEqual([
      ['sweepExpired', 'sweep-conflict-1'],
      ['sweepExpired', 'sweep-conflict-2'],
    ]);
    expect(events[0]?.error).toBeInstanceOf(TransactionContentionError);
    // Still pending: the next sweep (here without conflicts) expires them.
    expect(await t.inventory.sweepExpired({ now: Date.now() + 60_000 })).toMatchObject({ expired: 2 });
    client.destroy();
  });
});
