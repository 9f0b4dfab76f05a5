// Browser tests of the operations console (`pnpm test:browser`): Playwright (playwright-core from
// npm, no browser download) drives Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH) against
// the example on the local stack. With CHECKOUT_SCREENSHOTS=1 they also write the README
// screenshots to packages/console/docs/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ConsoleAuditEvent } from '@checkout/console';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { commandKey, createSqsConsumer, encode, handleCommand } from '@checkout/workers';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishAnalytics, sendReceipt } from '../commands/commands.js';
import { type CheckoutEnvironment, createCheckoutEnvironment, waitForDrain } from './checkout-environment.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';
import { type LocalRunner, startLocalRunner } from './local-runner.js';
import { runLoad } from './run-load.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.CHECKOUT_SCREENSHOTS === '1';
const DOCS = fileURLToPath(new URL('../../../../packages/console/docs/', import.meta.url));
/** Each payload sets a flag if it ever runs; a dialog would fail the test too. */
const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

let env: CheckoutEnvironment;
let runner: LocalRunner | undefined;
let server: ConsoleServer;
let browser: Browser;
let support: BrowserContext;
const audits: ConsoleAuditEvent[] = [];
const dialogs: string[] = [];
let completedOrder = '';
let stuckOrder = '';

const depth = async (queueUrl: string) => {
  const { Attributes = {} } = await env.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const startRunner = () =>
  startLocalRunner({
    deps: env.deps,
    pool: env.pool,
    sqs: env.sqs,
    queueUrls: env.processConfig.queueUrls,
    listen: env.postgresUrl,
  });

async function open(path: string): Promise<Page> {
  const page = await support.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const response = await page.goto(new URL(path, server.url).href);
  expect(response?.status()).toBeLessThan(500);
  return page;
}

async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('main img').count()).toBe(0);
  expect(dialogs).toEqual([]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: `${DOCS}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  env = await createCheckoutEnvironment(useCheckoutStack(), {
    seed: 21,
    faults: { latencyMs: 1 },
    initialStock: { mug: 1_000, tee: 1_000, hot: 10 },
  });
  // A few orders all the way through.
  runner = await startRunner();
  const load = await runLoad(env.deps, { orders: 3, seed: 21, hotShare: 0, declineShare: 0 });
  await waitForDrain(env, { timeoutMs: 120_000 });
  await runner.stop();
  runner = undefined;
  completedOrder = load.submissions[0]?.orderIds[0] ?? '';

  // An order that gets stuck: a worker gave up and asked for attention (NEEDS_ATTENTION takes no events).
  const stuck = await runLoad(env.deps, { orders: 1, seed: 2101, hotShare: 0, declineShare: 0 });
  stuckOrder = stuck.submissions[0]?.orderIds[0] ?? '';
  await env.db.transaction().execute((trx) =>
    env.deps.orders.apply(trx, {
      id: stuckOrder,
      event: 'attention.requested',
      eventId: `attention:${stuckOrder}`,
      actor: 'payment-worker',
      reason: 'provider answered 500 five times',
    }),
  );

  // A poison message: the analytics stage still runs an old build that does not know
  // PublishAnalytics, so the command replaying the completed order's report is parked in its DLQ.
  await env.db.withSchema(env.deps.schema).deleteFrom('order_report').where('order_id', '=', completedOrder).execute();
  const oldBuild = createSqsConsumer({
    client: env.sqs,
    queueUrl: env.queues.analytics.queueUrl,
    commands: [handleCommand(sendReceipt, async () => {})],
    waitTimeSeconds: 1,
  });
  oldBuild.start();
  const envelope = await encode(
    publishAnalytics,
    { customerId: 'customer-0', outcome: 'COMPLETED', total: 1_000, currency: 'EUR', units: 2 },
    { orderId: completedOrder, idempotencyKey: commandKey(completedOrder, 'PublishAnalytics', 'replay') },
  );
  await env.sqs.send(
    new SendMessageCommand({ QueueUrl: env.queues.analytics.queueUrl, MessageBody: JSON.stringify(envelope) }),
  );
  await until('the poison message in the analytics DLQ', async () =>
    (await depth(env.queues.analytics.dlq.queueUrl)) === 1 ? true : undefined,
  );
  await oldBuild.stop({ timeoutMs: 5_000 });
  // An attacker-controlled body in another DLQ.
  await env.sqs.send(
    new SendMessageCommand({
      QueueUrl: env.queues.notification.dlq.queueUrl,
      MessageBody: JSON.stringify({ type: `Refund${XSS}`, orderId: `o-${XSS}`, note: XSS }),
    }),
  );

  // The fix: the current build of every stage (it handles PublishAnalytics) is deployed.
  runner = await startRunner();
  server = await startConsoleServer(env, { onAudit: (event) => audits.push(event), oldestAgeSeconds: () => 3 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  support = await browser.newContext({
    httpCredentials: { username: 'support', password: server.users.support },
    viewport: { width: 1280, height: 860 },
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await runner?.stop();
  await env?.close();
});

describe('operations console in a browser', () => {
  it('shows the overview: queues with DLQ counts, the outbox and overdue deadlines', async () => {
    const page = await open('');
    await expect.poll(() => page.locator('tr[data-queue="analytics"]').count()).toBe(1);
    expect(await page.locator('tr[data-queue="analytics"] td[data-label="DLQ"]').textContent()).toContain('1');
    expect(await page.getByTestId('outbox').textContent()).toContain('pending');
    // The order deadlines: none overdue while the sweeper runs.
    expect(await page.getByTestId('deadlines-overdue').textContent()).toContain('0');
    expect(await page.getByTestId('operator').textContent()).toBe('support:demo');
    await screenshot(page, 'overview');
    await page.close();
  });

  it('finds an order by id and reads its timeline', async () => {
    const page = await open('');
    await page.getByLabel('order id').fill(completedOrder);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(`**/ops/orders/${encodeURIComponent(completedOrder)}`);
    expect(await page.getByTestId('order-state').textContent()).toBe('COMPLETED');
    const timeline = page.getByTestId('timeline');
    expect(await timeline.locator('li').count()).toBe(5);
    const text = await timeline.textContent();
    for (const event of ['payment.authorized', 'inventory.reserved', 'fulfillment.started', 'fulfillment.completed'])
      expect(text).toContain(event);
    expect(await page.locator('g.node.current').getAttribute('data-state')).toBe('COMPLETED');
    expect(await page.getByTestId('payment-intent').textContent()).toContain('authorized');
    expect(await page.getByTestId('reservation').textContent()).toContain('COMMITTED');
    await screenshot(page, 'order-timeline');
    await page.close();
  });

  it('dry-runs, then redrives the poison message after the fix, and it is processed', async () => {
    const page = await open('queues/analytics/dead-letters');
    const row = page.locator('[data-testid="dlq-messages"] tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('PublishAnalytics');
    expect(await row.textContent()).toContain('poison:unknown-type');
    await screenshot(page, 'dead-letters');
    await page.getByTestId('dry-run').click();
    expect(await page.getByTestId('redrive-summary').textContent()).toContain(
      'Dry run: 1 of 1 message(s) would move back',
    );
    expect(await depth(env.queues.analytics.dlq.queueUrl)).toBe(1);
    await page.getByTestId('redrive').click();
    expect(await page.getByTestId('redrive-summary').textContent()).toContain('Redrive: 1 moved');
    const report = await until('the replayed report row', () =>
      env.db
        .withSchema(env.deps.schema)
        .selectFrom('order_report')
        .selectAll()
        .where('order_id', '=', completedOrder)
        .executeTakeFirst(),
    );
    expect(report.outcome).toBe('COMPLETED');
    expect(await depth(env.queues.analytics.dlq.queueUrl)).toBe(0);
    expect(audits.map((a) => [a.action, a.detail.dryRun, a.operator])).toEqual([
      ['redrive', true, 'support:demo'],
      ['redrive', false, 'support:demo'],
    ]);
    await page.close();
  });

  it('forces a stuck order with a reason and shows the audit row with the operator', async () => {
    const page = await open(`orders/${encodeURIComponent(stuckOrder)}`);
    expect(await page.getByTestId('order-state').textContent()).toBe('NEEDS_ATTENTION');
    await page.getByLabel('to state').selectOption('CANCELLED');
    await page.getByLabel('reason (required)').fill(`customer asked to cancel ${XSS}`);
    await page.getByRole('button', { name: 'Force' }).click();
    expect(await page.getByTestId('force-done').textContent()).toContain('CANCELLED');
    const last = page.locator('[data-testid="timeline"] li').last();
    expect(await last.textContent()).toContain('forced');
    expect(await last.locator('.actor').textContent()).toBe('support:demo');
    expect(await last.locator('.reason').textContent()).toBe(`customer asked to cancel ${XSS}`);
    await expectInert(page);
    expect((await env.deps.orders.get(env.db, stuckOrder)).state).toBe('CANCELLED');
    expect(audits.at(-1)).toMatchObject({ action: 'force', operator: 'support:demo', outcome: 'done' });
    await page.close();
  });

  it('fits a phone screen: no page-wide horizontal scroll on the overview, a DLQ and an order', async () => {
    const phone = await browser.newContext({
      httpCredentials: { username: 'support', password: server.users.support },
      viewport: { width: 390, height: 844 },
      isMobile: true,
    });
    const page = await phone.newPage();
    for (const path of ['', 'queues/notification/dead-letters', `orders/${encodeURIComponent(completedOrder)}`]) {
      await page.goto(new URL(path, server.url).href);
      // (A string expression: this file is type-checked without the DOM library.)
      const overflow: { scrollWidth: number; clientWidth: number } = await page.evaluate(
        '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
      );
      expect(overflow.scrollWidth, path).toBeLessThanOrEqual(overflow.clientWidth);
    }
    await phone.close();
  });

  it('refuses a request without credentials, and a read-only operator cannot act', async () => {
    // (A page would show the browser's sign-in prompt: read the answer itself.)
    const anonymous = await browser.newContext();
    const response = await anonymous.request.get(server.url);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toContain('Basic');
    expect(await response.text()).not.toContain('analytics');
    await anonymous.close();
    const viewer = await browser.newContext({ httpCredentials: { username: 'viewer', password: server.users.viewer } });
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(new URL(`orders/${encodeURIComponent(completedOrder)}`, server.url).href);
    expect(await viewerPage.getByTestId('order-state').textContent()).toBe('COMPLETED');
    expect(await viewerPage.getByTestId('force-form').count()).toBe(0);
    await viewer.close();
  });

  it('renders XSS payloads in an order id and a DLQ body as inert text', async () => {
    const page = await open('');
    await page.getByLabel('order id').fill(`o-${XSS}`);
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await page.getByTestId('refusal').textContent()).toContain(`no order o-${XSS}`);
    await expectInert(page);
    await page.goto(new URL('queues/notification/dead-letters', server.url).href);
    const row = page.locator('[data-testid="dlq-messages"] tbody tr');
    expect(await row.locator('td[data-label="Type"]').textContent()).toBe(`Refund${XSS}`);
    await row.locator('summary').click();
    expect(await row.locator('pre.dlq-body').textContent()).toContain(XSS.replaceAll('"', '\\"'));
    await expectInert(page);
    await page.close();
  });
});
