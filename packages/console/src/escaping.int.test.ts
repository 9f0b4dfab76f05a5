import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from './html.js';
import { type ConsoleStack, createConsoleStack, get, post, session } from './test-support/console-stack.js';

const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"'\``;
const ORDER_ID = `xss-${XSS}`;
let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder(ORDER_ID);
});
afterAll(() => stack.close());

/** No markup from the payload survived: no script or img element, no event handler attribute. */
function expectInert(page: string): void {
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('<img');
  for (const tag of page.matchAll(/<[a-z][a-z0-9-]*((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/gi)) {
    for (const attribute of (tag[1] ?? '').matchAll(/\s([^\s=>]+)(?:="[^"]*")?/g)) {
      expect(attribute[1]?.toLowerCase().startsWith('on'), tag[0]).toBe(false);
    }
  }
}

describe('every attacker-controlled value is escaped', () => {
  it('an order id in the path, the audit reason and the actor render as text', async () => {
    const opsConsole = stack.console({
      authorize: (request) =>
        request.headers.get('x-test-operator') === 'alice' ? { id: `alice${XSS}`, canAct: true } : undefined,
    });
    const path = `/ops/orders/${encodeURIComponent(ORDER_ID)}`;
    const { cookie, csrf } = await session(opsConsole, 'alice', path);
    const forced = await opsConsole.fetch(
      post(`${path}/force`, 'alice', { to: 'NEEDS_ATTENTION', reason: `reason ${XSS}`, csrf }, { cookie }),
    );
    expect(forced.status).toBe(200);
    const page = await (await opsConsole.fetch(get(path, 'alice', cookie))).text();
    expectInert(page);
    expect(page).toContain(
      'xss-&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&#96;',
    );
    expect(page).toContain('reason &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('alice&lt;script&gt;');
    const history = await stack.store.history(stack.db, ORDER_ID);
    expect(history.at(-1)).toMatchObject({ kind: 'forced', actor: `alice${XSS}`, reason: `reason ${XSS}` });
  });

  it('a DLQ body, type, order id and error render as text', async () => {
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queue.dlq.queueUrl,
        MessageBody: JSON.stringify({ type: `T${XSS}`, orderId: ORDER_ID, payload: XSS }),
      }),
    );
    const opsConsole = stack.console();
    const response = await opsConsole.fetch(get('/ops/queues/payment/dead-letters', 'alice'));
    expect(response.status).toBe(200);
    const page = await response.text();
    expectInert(page);
    expect(page).toContain('T&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain(`href="/ops/orders/${escapeHtml(encodeURIComponent(ORDER_ID))}"`);
  });

  it('the search redirect encodes the id, and refusals echo input escaped', async () => {
    const opsConsole = stack.console();
    const redirect = await opsConsole.fetch(get(`/ops/orders?id=${encodeURIComponent(ORDER_ID)}`, 'alice'));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(`/ops/orders/${encodeURIComponent(ORDER_ID)}`);
    const missing = await opsConsole.fetch(get(`/ops/orders/${encodeURIComponent(`nope${XSS}`)}`, 'alice'));
    expect(missing.status).toBe(404);
    expectInert(await missing.text());
    const badFilter = await opsConsole.fetch(
      get(`/ops/queues/payment/dead-letters?reason=${encodeURIComponent(XSS)}`, 'alice'),
    );
    expectInert(await badFilter.text());
  });
});
