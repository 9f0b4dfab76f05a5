import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createTestQueue } from '@checkout/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxInputError } from '../errors.js';
import { createSqsPublisher } from '../publishers/sqs-publisher.js';
import { createOutboxRelay } from '../relay/relay.js';
import { createOutboxFixture, drain, type OutboxFixture } from '../test-support/outbox-fixture.js';

// No tracer provider is registered in this file: the captured context is passed on as it is.
let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture({ maxMessageBytes: 400 });
});
afterAll(async () => {
  await f.close();
});

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const attributesOf = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));

async function receiveAttributes(queueUrl: string, count: number) {
  const out = new Map<string, Record<string, string | undefined>>();
  const deadline = Date.now() + 20_000;
  while (out.size < count && Date.now() < deadline) {
    const { Messages = [] } = await f.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of Messages) {
      const attributes = Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      );
      out.set(String((JSON.parse(m.Body ?? '{}') as { k?: string }).k), attributes);
    }
  }
  return out;
}

describe('trace context attributes', () => {
  it('rides in the free attribute slots: traceparent and tracestate, traceparent alone, or none (SQS allows 10)', async () => {
    const queue = await createTestQueue(f.stack.sqs);
    const destination = `attrs-${queue.name}`;
    await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(trx, [
        { destination, body: { k: 'n8' }, attributes: attributesOf(8), traceparent: TP, tracestate: 'v=1' },
        { destination, body: { k: 'n9' }, attributes: attributesOf(9), traceparent: TP, tracestate: 'v=1' },
        { destination, body: { k: 'n10' }, attributes: attributesOf(10), traceparent: TP, tracestate: 'v=1' },
        { destination, body: { k: 'none' } },
      ]),
    );
    const relay = createOutboxRelay({
      db: f.db,
      outbox: f.outbox,
      publisher: createSqsPublisher({ client: f.sqs, queues: { [destination]: queue.queueUrl } }),
    });
    expect(await drain(relay, 4)).toBe(4);
    const got = await receiveAttributes(queue.queueUrl, 4);
    expect(Object.keys(got.get('n8') ?? {}).length).toBe(10);
    expect(got.get('n8')).toMatchObject({ traceparent: TP, tracestate: 'v=1' });
    expect(Object.keys(got.get('n9') ?? {}).length).toBe(10);
    expect(got.get('n9')).toMatchObject({ traceparent: TP });
    expect(got.get('n9')?.tracestate).toBeUndefined();
    expect(Object.keys(got.get('n10') ?? {})).toEqual(Object.keys(attributesOf(10)));
    expect(got.get('none')).toEqual({});
  });

  it('never makes an enqueue fail: what does not fit the size limit is left out of the row', async () => {
    const body = { k: 'x'.repeat(300) };
    const ids = await f.db.transaction().execute((trx) =>
      f.outbox.enqueue(trx, [
        { destination: 'd', body, traceparent: TP, tracestate: 'v='.padEnd(200, 'z') },
        { destination: 'd', body: { k: 'x'.repeat(330) }, traceparent: TP },
        { destination: 'd', body: { k: 'small' }, traceparent: TP, tracestate: 'v=1' },
      ]),
    );
    const { rows } = await sql<{ trace_parent: string | null; trace_state: string | null }>`
      SELECT trace_parent, trace_state FROM ${f.outbox.table.ref} WHERE id = ANY(${ids}::bigint[]) ORDER BY id`.execute(
      f.db,
    );
    expect(rows).toEqual([
      { trace_parent: TP, trace_state: null },
      { trace_parent: null, trace_state: null },
      { trace_parent: TP, trace_state: 'v=1' },
    ]);
  });

  it('refuses a bad traceparent or tracestate, naming the field, before any SQL', async () => {
    await expect(
      f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'd', body: 1, traceparent: 'nope' })),
    ).rejects.toMatchObject({ code: 'OUTBOX_INVALID_INPUT', field: 'message.traceparent' });
    await expect(
      f.db
        .transaction()
        .execute((trx) => f.outbox.enqueue(trx, [{ destination: 'd', body: 1, traceparent: TP, tracestate: 'a\nb' }])),
    ).rejects.toBeInstanceOf(OutboxInputError);
    await expect(
      f.db.transaction().execute((trx) => f.outbox.enqueue(trx, { destination: 'd', body: 1, tracestate: 'v=1' })),
    ).rejects.toMatchObject({ field: 'message.tracestate' });
  });
});
