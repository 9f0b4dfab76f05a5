import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commandKey } from '../envelope/command-key.js';
import { defineCommand } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { type BridgeDatabase, createOutboxStack, type OutboxStack } from '../test-support/outbox-stack.js';
import { enqueueCommand } from './enqueue-command.js';
import { type CommandBatchOutbox, enqueueCommands } from './enqueue-commands.js';

let s: OutboxStack;
beforeAll(async () => {
  s = await createOutboxStack();
});
afterAll(async () => {
  await s?.close();
});

const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  payload: z.object({ template: z.string().min(1) }),
  destination: 'checkout-emails',
});
const publishAnalytics = defineCommand({
  type: 'PublishAnalytics',
  version: 3,
  payload: z.object({ outcome: z.string(), units: z.int().min(0) }),
  destination: 'checkout-analytics',
});
const localOnly = defineCommand({ type: 'LocalOnly', version: 1, payload: z.object({}) });

const rowsOf = (orderId: string) =>
  s.db.selectFrom('checkout_outbox').selectAll().where('group_key', '=', orderId).orderBy('id').execute();
const notesOf = (note: string) => s.db.selectFrom('orders').select('note').where('note', '=', note).execute();
const placeOrder = (trx: Transaction<BridgeDatabase>, note: string) =>
  trx.insertInto('orders').values({ note }).execute();

/** The stack's outbox, counting its `enqueue` calls and the messages of each. */
function countingOutbox(): CommandBatchOutbox<Transaction<BridgeDatabase>> & { readonly calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    enqueue: (trx, messages) => {
      calls.push(messages.length);
      return s.outbox.enqueue(trx, messages);
    },
  };
}

describe('enqueueCommands', () => {
  it('writes every command with one outbox call, in order, each row as enqueueCommand writes it', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    const outbox = countingOutbox();
    const [receipt, analytics] = await s.db.transaction().execute(async (trx) => {
      await placeOrder(trx, orderId);
      return enqueueCommands(outbox, trx, [
        { command: sendReceipt, payload: { template: 'confirmation' }, meta: { orderId, key: 'confirmation' } },
        { command: publishAnalytics, payload: { outcome: 'COMPLETED', units: 3 }, meta: { orderId, delaySeconds: 5 } },
      ]);
    });
    expect(outbox.calls).toEqual([2]);
    expect(receipt).toMatchObject({
      type: 'SendReceipt',
      orderId,
      idempotencyKey: commandKey(orderId, sendReceipt, 'confirmation'),
      payload: { template: 'confirmation' },
    });
    expect(analytics).toMatchObject({
      type: 'PublishAnalytics',
      schemaVersion: 3,
      idempotencyKey: commandKey(orderId, publishAnalytics),
      payload: { outcome: 'COMPLETED', units: 3 },
    });
    const rows = await rowsOf(orderId);
    expect(rows.map((row) => [row.destination, row.group_key, row.attributes, row.delay_seconds])).toEqual([
      ['checkout-emails', orderId, { type: 'SendReceipt' }, null],
      ['checkout-analytics', orderId, { type: 'PublishAnalytics' }, 5],
    ]);
    expect(rows.map((row) => row.body)).toEqual([receipt, analytics]);
    expect(await notesOf(orderId)).toHaveLength(1);
  });

  it('the same rows as one enqueueCommand per command (apart from message ids and times)', async () => {
    const a = `ord-${crypto.randomUUID()}`;
    const b = `ord-${crypto.randomUUID()}`;
    const occurredAt = '2026-01-01T00:00:00.000Z';
    await s.db.transaction().execute(async (trx) => {
      await enqueueCommand(
        s.outbox,
        trx,
        sendReceipt,
        { template: 't' },
        { orderId: a, key: 't', messageId: '01J00000000000000000000001', occurredAt },
      );
      await enqueueCommand(
        s.outbox,
        trx,
        publishAnalytics,
        { outcome: 'X', units: 0 },
        { orderId: a, messageId: '01J00000000000000000000002', occurredAt },
      );
      await enqueueCommands(s.outbox, trx, [
        {
          command: sendReceipt,
          payload: { template: 't' },
          meta: { orderId: b, key: 't', messageId: '01J00000000000000000000001', occurredAt },
        },
        {
          command: publishAnalytics,
          payload: { outcome: 'X', units: 0 },
          meta: { orderId: b, messageId: '01J00000000000000000000002', occurredAt },
        },
      ]);
    });
    const strip = (rows: Awaited<ReturnType<typeof rowsOf>>) =>
      rows.map(({ destination, attributes, delay_seconds, status, body }) => {
        const { orderId: _o, idempotencyKey: _k, ...rest } = body as Envelope;
        return { destination, attributes, delay_seconds, status, rest };
      });
    expect(strip(await rowsOf(b))).toEqual(strip(await rowsOf(a)));
  });

  it('checks every command before any SQL: a bad payload of the second names it, nothing written, the trx commits', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    const outbox = countingOutbox();
    let caught: unknown;
    await s.db.transaction().execute(async (trx) => {
      await placeOrder(trx, orderId);
      caught = await enqueueCommands(outbox, trx, [
        { command: sendReceipt, payload: { template: 'ok' }, meta: { orderId } },
        { command: publishAnalytics, payload: { outcome: 'X', units: -1 }, meta: { orderId } },
      ]).catch((error: unknown) => error);
      await placeOrder(trx, orderId);
    });
    expect(caught).toBeInstanceOf(InvalidPayloadError);
    expect(caught).toMatchObject({ code: 'WORKERS_INVALID_PAYLOAD', field: 'commands[1].payload.units' });
    expect(outbox.calls).toEqual([]);
    expect(await rowsOf(orderId)).toHaveLength(0);
    expect(await notesOf(orderId)).toHaveLength(2);
  });

  it('names the command of a configuration or meta refusal: destination, orderId, key, a hole', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    const attempt = (commands: unknown) =>
      s.db
        .transaction()
        .execute((trx) => enqueueCommands(s.outbox, trx, commands as never))
        .catch((error: unknown) => error);
    const ok = { command: sendReceipt, payload: { template: 'x' }, meta: { orderId } };
    expect(await attempt([{ command: localOnly, payload: {}, meta: { orderId } }])).toMatchObject({
      code: 'WORKERS_INVALID_CONFIG',
      field: 'commands[0].destination',
    });
    expect(await attempt([ok, { ...ok, meta: { orderId: '' } }])).toMatchObject({
      code: 'WORKERS_INVALID_PAYLOAD',
      field: 'commands[1].orderId',
    });
    expect(await attempt([ok, ok, { ...ok, meta: { orderId, key: 'a\u0000' } }])).toMatchObject({
      field: 'commands[2].key',
    });
    // biome-ignore lint/suspicious/noSparseArray: probe
    expect(await attempt([, ok])).toMatchObject({ code: 'WORKERS_INVALID_PAYLOAD', field: 'commands[0]' });
    expect(await attempt('not a list')).toBeInstanceOf(InvalidPayloadError);
    expect(await attempt(Array.from({ length: 101 }, () => ok))).toMatchObject({ field: 'commands' });
    expect(await rowsOf(orderId)).toHaveLength(0);
  });

  it('an outbox without enqueue is a WorkersConfigError; an empty list writes nothing', async () => {
    const error = await s.db
      .transaction()
      .execute((trx) => enqueueCommands({} as never, trx, []))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkersConfigError);
    expect(error).toMatchObject({ field: 'outbox' });
    const outbox = countingOutbox();
    expect(await s.db.transaction().execute((trx) => enqueueCommands(outbox, trx, []))).toEqual([]);
    expect(outbox.calls).toEqual([]);
  });

  it("the outbox's own errors propagate unchanged (naming the message), nothing written", async () => {
    const orderId = `ord-${'x'.repeat(200)}`;
    const caught = await s.db
      .transaction()
      .execute((trx) =>
        enqueueCommands(s.outbox, trx, [
          { command: sendReceipt, payload: { template: 't' }, meta: { orderId: 'ord-short' } },
          { command: sendReceipt, payload: { template: 't' }, meta: { orderId } },
        ]),
      )
      .catch((error: unknown) => error);
    expect(caught).toMatchObject({ code: 'OUTBOX_INVALID_INPUT', field: 'messages[1].groupKey' });
    expect(await rowsOf('ord-short')).toHaveLength(0);
  });
});
