import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReservationNotFoundError, ReservationStateError } from '../errors.js';
import { createTestInventory, type TestInventory } from '../test-support/test-table.js';

let t: TestInventory;
beforeEach(async () => {
  t = await createTestInventory({ maxAttempts: 100, backoff: { baseMs: 5, maxMs: 200 } });
});
afterEach(() => t.drop());

async function level(sku: string) {
  return (await t.inventory.getAvailability([sku])).get(sku);
}

describe('release and commit', () => {
  it('release returns the units once, however many times (and how concurrently) it is called', async () => {
    const { inventory } = t;
    await inventory.setStock('rel', 10);
    await inventory.reserve('order-rel', [{ sku: 'rel', quantity: 4 }], { holdMs: 600_000 });
    expect(await level('rel')).toMatchObject({ available: 6, reserved: 4 });

    const results = await Promise.all(Array.from({ length: 10 }, () => inventory.release('order-rel')));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(results.every((result) => result.status === 'RELEASED')).toBe(true);
    expect(await level('rel')).toEqual({ sku: 'rel', available: 10, reserved: 0, committed: 0 });

    expect(await inventory.release('order-rel')).toEqual({ orderId: 'order-rel', status: 'RELEASED', changed: false });
    expect(await level('rel')).toMatchObject({ available: 10 });
  });

  it('commit consumes the units once; repeats are no-ops', async () => {
    const { inventory } = t;
    await inventory.setStock('com-a', 5);
    await inventory.setStock('com-b', 5);
    await inventory.reserve(
      'order-com',
      [
        { sku: 'com-a', quantity: 2 },
        { sku: 'com-b', quantity: 1 },
      ],
      { holdMs: 600_000 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, () => inventory.commit('order-com')));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(await level('com-a')).toEqual({ sku: 'com-a', available: 3, reserved: 0, committed: 2 });
    expect(await level('com-b')).toEqual({ sku: 'com-b', available: 4, reserved: 0, committed: 1 });
    expect((await inventory.getReservation('order-com'))?.status).toBe('COMMITTED');
  });

  it('commit racing release: exactly one wins and stock moves once', async () => {
    const { inventory } = t;
    await inventory.setStock('race', 3);
    await inventory.reserve('order-race', [{ sku: 'race', quantity: 3 }], { holdMs: 600_000 });
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 5 }, () => inventory.commit('order-race')),
      ...Array.from({ length: 5 }, () => inventory.release('order-race')),
    ]);
    const changed = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.changed);
    expect(changed).toHaveLength(1);
    const final = await level('race');
    const status = (await inventory.getReservation('order-race'))?.status;
    if (status === 'COMMITTED') expect(final).toMatchObject({ available: 0, reserved: 0, committed: 3 });
    else expect(final).toMatchObject({ available: 3, reserved: 0, committed: 0 });
    // The losers of the other kind got a typed state error, never a second stock change.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ReservationStateError);
    }
  });

  it('commit after release, and release after commit, are typed state errors that write nothing', async () => {
    const { inventory } = t;
    await inventory.setStock('state', 4);
    await inventory.reserve('order-released', [{ sku: 'state', quantity: 1 }], { holdMs: 600_000 });
    await inventory.reserve('order-committed', [{ sku: 'state', quantity: 1 }], { holdMs: 600_000 });
    await inventory.release('order-released');
    await inventory.commit('order-committed');
    const before = await level('state');

    const commitError = await inventory.commit('order-released').catch((error: unknown) => error);
    expect(commitError).toBeInstanceOf(ReservationStateError);
    expect(commitError).toMatchObject({
      code: 'INVENTORY_RESERVATION_NOT_PENDING',
      httpStatus: 409,
      status: 'RELEASED',
    });
    await expect(inventory.release('order-committed')).rejects.toMatchObject({ status: 'COMMITTED' });
    expect(await level('state')).toEqual(before);
  });

  it('unknown orders are ReservationNotFoundError', async () => {
    await expect(t.inventory.release('no-such-order')).rejects.toBeInstanceOf(ReservationNotFoundError);
    await expect(t.inventory.commit('no-such-order')).rejects.toMatchObject({
      code: 'INVENTORY_RESERVATION_NOT_FOUND',
    });
  });

  it('a retry of reserve after release replays the released reservation instead of taking stock again', async () => {
    const { inventory } = t;
    await inventory.setStock('after-release', 2);
    await inventory.reserve('order-after', [{ sku: 'after-release', quantity: 2 }], { holdMs: 600_000 });
    await inventory.release('order-after');
    const again = await inventory.reserve('order-after', [{ sku: 'after-release', quantity: 2 }], { holdMs: 600_000 });
    expect(again).toMatchObject({ ok: true, replayed: true, reservation: { status: 'RELEASED' } });
    expect(await level('after-release')).toMatchObject({ available: 2, reserved: 0 });
  });

  it('settled reservations get the TTL attribute; pending ones never do', async () => {
    const { inventory, client, tableName } = t;
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    await inventory.setStock('ttl', 2);
    await inventory.reserve('order-ttl', [{ sku: 'ttl', quantity: 1 }], { holdMs: 600_000 });
    const key = { pk: { S: 'ORDER#order-ttl' }, sk: { S: 'RESERVATION' } };
    const pending = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(pending.Item?.expiresAt).toBeUndefined();
    expect(pending.Item?.pendingShard?.S).toMatch(/^PENDING#\d$/);
    await inventory.commit('order-ttl');
    const settled = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(Number(settled.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
    expect(settled.Item?.pendingShard).toBeUndefined();
    expect(settled.Item?.pendingDeadline).toBeUndefined();
  });
});
