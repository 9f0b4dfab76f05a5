// enqueueCommand against real Postgres, a real @checkout/outbox, its relay and the SQS emulator.
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createOutboxRelay, createSqsPublisher, OutboxInputError } from '@checkout/outbox';
import { createTestQueue } from '@checkout/testing';
import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decode } from '../envelope/codec.js';
import { commandKey } from '../envelope/command-key.js';
import { defineCommand } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { type BridgeDatabase, createOutboxStack, type OutboxStack } from '../test-support/outbox-stack.js';
import { enqueueCommand } from './enqueue-command.js';

let s: OutboxStack;
beforeAll(async () => {
  s = await createOutboxStack();
});
afterAll(async () => {
  await s?.close();
});

const authorizePayment = defineCommand({
  type: 'AuthorizePayment',
  version: 2,
  payload: z.object({ amountMinor: z.int().min(1), currency: z.string().length(3) }),
  destination: 'checkout-payments',
});
const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  payload: z.object({ email: z.email() }),
  destination: 'checkout-emails',
});
const localOnly = defineCommand({ type: 'LocalOnly', version: 1, payload: z.object({}) });

const rowsOf = (orderId: string) =>
  s.db.selectFrom('checkout_outbox').selectAll().where('group_key', '=', orderId).orderBy('id').execute();
const notesOf = (note: string) => s.db.selectFrom('orders').select('note').where('note', '=', note).execute();
const placeOrder = (trx: Transaction<BridgeDatabase>, note: string) =>
  trx.insertInto('orders').values({ note }).execute();

describe('enqueueCommand with @checkout/outbox', () => {
  it('stores one row: the destination, group key = orderId, body = the envelope with the derived key, type attribute', async () => {
    const orderId = `ord:${crypto.randomUUID()}`;
    const envelope = await s.db.transaction().execute(async (trx) => {
      await placeOrder(trx, orderId);
      return enqueueCommand(s.outbox, trx, authorizePayment, { amountMinor: 4200, currency: 'EUR' }, { orderId });
    });
    expect(envelope).toMatchObject({
      type: 'AuthorizePayment',
      schemaVersion: 2,
      orderId,
      idempotencyKey: commandKey(orderId, authorizePayment),
      attempt: 1,
      payload: { amountMinor: 4200, currency: 'EUR' },
    });
    const rows = await rowsOf(orderId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      destination: 'checkout-payments',
      group_key: orderId,
      attributes: { type: 'AuthorizePayment' },
      delay_seconds: null,
      status: 'pending',
    });
    expect(rows[0]?.body).toEqual(envelope);
    expect(await notesOf(orderId)).toHaveLength(1);
  });

  it('a command sent twice per order: the key discriminates, a re-enqueue of the same one keeps its key', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    const [placed, shipped, again] = await s.db
      .transaction()
      .execute(async (trx) => [
        await enqueueCommand(s.outbox, trx, sendReceipt, { email: 'a@example.com' }, { orderId, key: 'placed' }),
        await enqueueCommand(s.outbox, trx, sendReceipt, { email: 'a@example.com' }, { orderId, key: 'shipped' }),
        await enqueueCommand(
          s.outbox,
          trx,
          sendReceipt,
          { email: 'a@example.com' },
          { orderId, key: 'shipped', delaySeconds: 3 },
        ),
      ]);
    expect(placed?.idempotencyKey).toBe(`${orderId}:SendReceipt:placed`);
    expect(shipped?.idempotencyKey).toBe(`${orderId}:SendReceipt:shipped`);
    expect(again?.idempotencyKey).toBe(shipped?.idempotencyKey);
    expect(again?.messageId).not.toBe(shipped?.messageId);
    const rows = await rowsOf(orderId);
    expect(rows.map((row) => [row.destination, (row.body as Envelope).idempotencyKey, row.delay_seconds])).toEqual([
      ['checkout-emails', `${orderId}:SendReceipt:placed`, null],
      ['checkout-emails', `${orderId}:SendReceipt:shipped`, null],
      ['checkout-emails', `${orderId}:SendReceipt:shipped`, 3],
    ]);
  });

  it('a command without destination throws before any SQL; the transaction still commits its other writes', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    let caught: unknown;
    await s.db.transaction().execute(async (trx) => {
      await placeOrder(trx, orderId);
      try {
        await enqueueCommand(s.outbox, trx, localOnly, {}, { orderId });
      } catch (error) {
        caught = error;
      }
      // A failed statement would have aborted the transaction: this insert (and the commit) would fail.
      await placeOrder(trx, orderId);
    });
    expect(caught).toBeInstanceOf(WorkersConfigError);
    expect(caught).toMatchObject({ code: 'WORKERS_INVALID_CONFIG', field: 'destination' });
    expect(await notesOf(orderId)).toHaveLength(2);
    expect(await rowsOf(orderId)).toHaveLength(0);
  });

  it('an invalid payload is an InvalidPayloadError naming the field; nothing written, the transaction commits', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    let caught: unknown;
    await s.db.transaction().execute(async (trx) => {
      await placeOrder(trx, orderId);
      caught = await enqueueCommand(
        s.outbox,
        trx,
        authorizePayment,
        { amountMinor: 0, currency: 'EUR' },
        { orderId },
      ).catch((error: unknown) => error);
      await placeOrder(trx, orderId);
    });
    expect(caught).toBeInstanceOf(InvalidPayloadError);
    expect(caught).toMatchObject({ code: 'WORKERS_INVALID_PAYLOAD', field: 'payload.amountMinor' });
    expect(await notesOf(orderId)).toHaveLength(2);
    expect(await rowsOf(orderId)).toHaveLength(0);
  });

  it("the outbox's own errors propagate unchanged (an order id too long for a group key), nothing written", async () => {
    const orderId = `ord-${'x'.repeat(200)}`;
    let caught: unknown;
    await s.db.transaction().execute(async (trx) => {
      caught = await enqueueCommand(
        s.outbox,
        trx,
        authorizePayment,
        { amountMinor: 1, currency: 'EUR' },
        { orderId },
      ).catch((error: unknown) => error);
      const late = await enqueueCommand(
        s.outbox,
        trx,
        authorizePayment,
        { amountMinor: 1, currency: 'EUR' },
        {
          orderId: 'ord-short',
          delaySeconds: 901,
        },
      ).catch((error: unknown) => error);
      expect(late).toMatchObject({ code: 'OUTBOX_INVALID_INPUT', field: 'message.delaySeconds' });
      await placeOrder(trx, orderId);
    });
    expect(caught).toBeInstanceOf(OutboxInputError);
    expect(caught).toMatchObject({ code: 'OUTBOX_INVALID_INPUT', field: 'message.groupKey' });
    expect(await notesOf(orderId)).toHaveLength(1);
    expect(
      await s.db.selectFrom('checkout_outbox').select('id').where('group_key', '=', orderId).execute(),
    ).toHaveLength(0);
  });

  it('a rolled-back transaction leaves no row', async () => {
    const orderId = `ord-${crypto.randomUUID()}`;
    const boom = new Error('rollback');
    await expect(
      s.db.transaction().execute(async (trx) => {
        await placeOrder(trx, orderId);
        await enqueueCommand(s.outbox, trx, authorizePayment, { amountMinor: 1, currency: 'EUR' }, { orderId });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await rowsOf(orderId)).toHaveLength(0);
    expect(await notesOf(orderId)).toHaveLength(0);
  });

  it('a row published by the real relay to SQS decodes to the same envelope', async () => {
    const queue = await createTestQueue(s.stack.sqs, { fifo: true });
    const command = defineCommand({
      type: 'CapturePayment',
      version: 1,
      payload: z.object({ amountMinor: z.int(), note: z.string() }),
      destination: `bridge-${queue.name}`,
    });
    const orderId = `ord-${crypto.randomUUID()}`;
    const envelope = await s.db.transaction().execute((trx) =>
      enqueueCommand(
        s.outbox,
        trx,
        command,
        { amountMinor: 999, note: 'héllo ✓' },
        {
          orderId,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
      ),
    );
    const relay = createOutboxRelay({
      db: s.root,
      outbox: s.outbox,
      publisher: createSqsPublisher({ client: s.sqs, queues: { [command.destination as string]: queue.queueUrl } }),
    });
    let published = 0;
    const deadline = Date.now() + 30_000;
    while (published < 1 && Date.now() < deadline) published += (await relay.runUntilIdle()).published;
    expect(published).toBeGreaterThanOrEqual(1);
    let message: Message | undefined;
    while (message === undefined && Date.now() < deadline) {
      const { Messages = [] } = await s.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.queueUrl,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['MessageGroupId'],
          MessageAttributeNames: ['All'],
        }),
      );
      message = Messages[0];
    }
    expect(message?.Attributes?.MessageGroupId).toBe(orderId);
    expect(message?.MessageAttributes?.type?.StringValue).toBe('CapturePayment');
    expect(await decode(message?.Body ?? '', [command])).toEqual(envelope);
    await s.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message?.ReceiptHandle }));
  });
});
