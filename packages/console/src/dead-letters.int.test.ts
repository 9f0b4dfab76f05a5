import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleStack, createConsoleStack, get, post, session } from './test-support/console-stack.js';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder('dlq-order-1');
  for (const type of ['ChargeCard', 'SendReceipt']) {
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queue.dlq.queueUrl,
        MessageBody: JSON.stringify({ type, orderId: 'dlq-order-1', payload: {} }),
      }),
    );
  }
});
afterAll(() => stack.close());

const DLQ = '/ops/queues/payment/dead-letters';

describe('overview and DLQ browser', () => {
  it('the overview shows each queue with its DLQ count and the oldest age against its alarm', async () => {
    const page = await (await stack.console().fetch(get('/ops/', 'alice'))).text();
    expect(page).toContain('data-queue="payment"');
    expect(page).toMatch(/<span class="pill bad">2<\/span>/);
    expect(page).toContain('<span class="age age-warn" title="alarm at 1 min">42 s</span>');
    expect(page).toContain('data-testid="outbox-pending"');
  });

  it('lists messages with reason, type and order, filtered by type', async () => {
    const opsConsole = stack.console();
    const all = await (await opsConsole.fetch(get(DLQ, 'alice'))).text();
    expect(all).toContain('ChargeCard');
    expect(all).toContain('SendReceipt');
    expect(all).toContain('max-receive-count');
    const filtered = await (await opsConsole.fetch(get(`${DLQ}?type=ChargeCard`, 'alice'))).text();
    expect(filtered).toContain('1 of 2 message(s) listed');
    expect(filtered).not.toContain('<td data-label="Type">SendReceipt');
  });

  it('a dry-run moves nothing, then the redrive moves the matching message back, both audited', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', DLQ);
    const dry = await opsConsole.fetch(
      post(`${DLQ}/redrive`, 'alice', { type: 'ChargeCard', reason: '', mode: 'dry-run', csrf }, { cookie }),
    );
    expect(dry.status).toBe(200);
    const dryPage = await dry.text();
    expect(dryPage).toContain('Dry run: 1 of 2 message(s) would move back');
    expect(dryPage).toContain('data-testid="redrive"');
    expect(stack.audits.at(-1)).toMatchObject({
      action: 'redrive',
      outcome: 'done',
      detail: { dryRun: true, matched: 1, moved: 0 },
    });

    const real = await opsConsole.fetch(
      post(`${DLQ}/redrive`, 'alice', { type: 'ChargeCard', reason: '', mode: 'redrive', csrf }, { cookie }),
    );
    expect(await real.text()).toContain('Redrive: 1 moved');
    expect(stack.audits.at(-1)).toMatchObject({
      action: 'redrive',
      operator: 'support:alice',
      detail: { dryRun: false, moved: 1 },
    });
    const received = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.queue.queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? '{}').type)).toEqual(['ChargeCard']);
    const left = await (await opsConsole.fetch(get(DLQ, 'alice'))).text();
    expect(left).toContain('1 of 1 message(s) listed');
  });

  it('an unknown queue is a 404 and a bad mode a 400', async () => {
    const opsConsole = stack.console();
    expect((await opsConsole.fetch(get('/ops/queues/nope/dead-letters', 'alice'))).status).toBe(404);
    const { cookie, csrf } = await session(opsConsole, 'alice', DLQ);
    const bad = await opsConsole.fetch(post(`${DLQ}/redrive`, 'alice', { mode: 'all', csrf }, { cookie }));
    expect(bad.status).toBe(400);
  });

  it('requeues dead outbox rows, audited', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', DLQ);
    const response = await opsConsole.fetch(
      post('/ops/outbox/requeue-dead', 'alice', { destination: 'payment', csrf }, { cookie }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('0 dead outbox row(s) requeued');
    expect(stack.audits.at(-1)).toMatchObject({
      action: 'requeue-dead',
      outcome: 'done',
      detail: { destination: 'payment', requeued: 0 },
    });
  });

  it('shows overdue deadlines when configured', async () => {
    const opsConsole = stack.console({
      deadlines: { stats: async () => ({ overdue: 3, oldestOverdueAgeSeconds: 125 }) },
    });
    const page = await (await opsConsole.fetch(get('/ops/', 'alice'))).text();
    expect(page).toContain('data-testid="deadlines-overdue"><div class="label">overdue</div><div class="value">3<');
    expect(page).toContain('<span class="age age-alarm" title="alarm at 1 min">2 min</span>');
  });
});
