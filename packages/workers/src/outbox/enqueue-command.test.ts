// enqueueCommand against an in-memory outbox: what it hands over and what it refuses before.
// (The real outbox and Postgres: enqueue-command.int.test.ts.)
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decode } from '../envelope/codec.js';
import { commandKey } from '../envelope/command-key.js';
import { defineCommand } from '../envelope/define-command.js';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { type CommandOutbox, type CommandOutboxMessage, enqueueCommand } from './enqueue-command.js';

const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  payload: z.object({ email: z.email() }),
  destination: 'checkout-emails',
});
const noDestination = defineCommand({ type: 'Local', version: 1, payload: z.object({}) });

function memoryOutbox() {
  const rows: { trx: string; message: CommandOutboxMessage }[] = [];
  const outbox: CommandOutbox<string> = {
    enqueue: async (trx, message) => {
      rows.push({ trx, message });
      return ['1'];
    },
  };
  return { outbox, rows };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('enqueueCommand', () => {
  it('hands the outbox the envelope with the derived key, the destination, the group key and the type', async () => {
    const { outbox, rows } = memoryOutbox();
    const envelope = await enqueueCommand(
      outbox,
      'trx-1',
      sendReceipt,
      { email: 'a@example.com' },
      { orderId: 'ord:1', key: 'shipped', delaySeconds: 5, occurredAt: new Date('2026-01-01T00:00:00Z') },
    );
    expect(envelope.idempotencyKey).toBe(commandKey('ord:1', sendReceipt, 'shipped'));
    expect(envelope.occurredAt).toBe('2026-01-01T00:00:00.000Z');
    expect(rows).toEqual([
      {
        trx: 'trx-1',
        message: {
          destination: 'checkout-emails',
          groupKey: 'ord:1',
          body: envelope,
          attributes: { type: 'SendReceipt' },
          delaySeconds: 5,
        },
      },
    ]);
    expect(await decode(JSON.stringify(rows[0]?.message.body), [sendReceipt])).toEqual(envelope);
  });

  it('leaves delaySeconds out when not asked for, and keeps a given messageId and traceparent', async () => {
    const { outbox, rows } = memoryOutbox();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const envelope = await enqueueCommand(
      outbox,
      't',
      sendReceipt,
      { email: 'a@example.com' },
      {
        orderId: 'o',
        messageId: '01J00000000000000000000000',
        traceparent,
      },
    );
    expect(rows[0]?.message).not.toHaveProperty('delaySeconds');
    expect(envelope).toMatchObject({
      messageId: '01J00000000000000000000000',
      traceparent,
      idempotencyKey: 'o:SendReceipt',
    });
  });

  it('a command without destination is a WorkersConfigError, before the outbox is called', async () => {
    const { outbox, rows } = memoryOutbox();
    const error = await rejection(enqueueCommand(outbox, 't', noDestination, {}, { orderId: 'o' }));
    expect(error).toBeInstanceOf(WorkersConfigError);
    expect(error).toMatchObject({ code: 'WORKERS_INVALID_CONFIG', field: 'destination' });
    expect((error as Error).message).toContain('Local');
    expect(rows).toHaveLength(0);
  });

  it('a hand-made definition with a bad destination or an outbox without enqueue is refused', async () => {
    const { outbox, rows } = memoryOutbox();
    const bad = { ...sendReceipt, destination: 'two words' };
    await expect(enqueueCommand(outbox, 't', bad, { email: 'a@example.com' }, { orderId: 'o' })).rejects.toMatchObject({
      field: 'destination',
    });
    await expect(
      enqueueCommand({} as CommandOutbox<string>, 't', sendReceipt, { email: 'a@example.com' }, { orderId: 'o' }),
    ).rejects.toMatchObject({ field: 'outbox' });
    expect(rows).toHaveLength(0);
  });

  it('bad meta or payload is an InvalidPayloadError naming the field, nothing handed over', async () => {
    const { outbox, rows } = memoryOutbox();
    const cases: [unknown, unknown, string][] = [
      [{ email: 'nope' }, { orderId: 'o' }, 'payload.email'],
      [{ email: 'a@example.com' }, { orderId: '' }, 'orderId'],
      [{ email: 'a@example.com' }, { orderId: 'o'.repeat(257) }, 'orderId'],
      [{ email: 'a@example.com' }, { orderId: 'o\u0000' }, 'orderId'],
      [{ email: 'a@example.com' }, { orderId: 42 }, 'orderId'],
      [{ email: 'a@example.com' }, { orderId: 'o', key: 7 }, 'key'],
      [{ email: 'a@example.com' }, { orderId: 'o', key: '\ud800' }, 'key'],
      [{ email: 'a@example.com' }, { orderId: 'o', key: ':'.repeat(100) }, 'idempotencyKey'],
      [{ email: 'a@example.com' }, { orderId: 'o', messageId: 'not-a-ulid' }, 'messageId'],
      [{ email: 'a@example.com' }, { orderId: 'o', traceparent: 'x' }, 'traceparent'],
      [{ email: 'a@example.com' }, { orderId: 'o', occurredAt: new Date(Number.NaN) }, 'occurredAt'],
      [{ email: 'a@example.com' }, null, 'meta'],
    ];
    for (const [payload, meta, field] of cases) {
      const error = await rejection(
        enqueueCommand(outbox, 't', sendReceipt, payload as { email: string }, meta as { orderId: string }),
      );
      expect(error, field).toBeInstanceOf(InvalidPayloadError);
      expect(error).toMatchObject({ code: 'WORKERS_INVALID_PAYLOAD', field });
    }
    expect(rows).toHaveLength(0);
  });

  it("the outbox's own error propagates unchanged", async () => {
    const failure = new Error('outbox says no');
    const outbox: CommandOutbox<string> = { enqueue: () => Promise.reject(failure) };
    await expect(enqueueCommand(outbox, 't', sendReceipt, { email: 'a@example.com' }, { orderId: 'o' })).rejects.toBe(
      failure,
    );
  });
});
