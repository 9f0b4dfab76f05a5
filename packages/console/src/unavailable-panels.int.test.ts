import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleStack, createConsoleStack, get, post, session } from './test-support/console-stack.js';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder('limbo-1');
});
afterAll(() => stack.close());

describe('a failing component shows as unavailable, never takes the page down', () => {
  it('a queue that cannot be read and a throwing deadline source: the rest of the overview renders', async () => {
    const errors: string[] = [];
    const opsConsole = stack.console({
      queues: [
        { name: 'payment', queueUrl: stack.queue.queueUrl, deadLetterQueueUrl: stack.queue.dlq.queueUrl },
        { name: 'ghost', queueUrl: `${stack.queue.queueUrl}-does-not-exist` },
      ],
      deadlines: {
        stats: async () => {
          throw new Error('deadline table missing');
        },
      },
      observer: { error: ({ stage }) => errors.push(stage) },
    });
    const response = await opsConsole.fetch(get('/ops/', 'alice'));
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('data-queue="payment"');
    expect(page).toMatch(/data-queue="ghost">[\s\S]*unavailable/);
    expect(page).toMatch(/data-testid="deadlines">[\s\S]*unavailable/);
    expect(page).toContain('data-testid="outbox-pending"');
    expect(errors).toEqual(expect.arrayContaining(['queue:ghost', 'deadlines']));
  });

  it('an order whose stored state the machine does not know is shown, and force repairs it', async () => {
    await stack.db.updateTable('orders').set({ state: 'LIMBO' }).where('id', '=', 'limbo-1').execute();
    const opsConsole = stack.console();
    const path = '/ops/orders/limbo-1';
    const page = await (await opsConsole.fetch(get(path, 'alice'))).text();
    expect(page).toContain('STATE_MACHINE_UNKNOWN_STATE');
    expect(page).toContain('data-testid="force-form"');
    const { cookie, csrf } = await session(opsConsole, 'alice', path);
    const forced = await opsConsole.fetch(
      post(`${path}/force`, 'alice', { to: 'NEEDS_ATTENTION', reason: 'bad migration wrote LIMBO', csrf }, { cookie }),
    );
    expect(forced.status).toBe(200);
    expect((await stack.store.get(stack.db, 'limbo-1')).state).toBe('NEEDS_ATTENTION');
  });
});
