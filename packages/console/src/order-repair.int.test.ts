import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleStack, createConsoleStack, get, post, session } from './test-support/console-stack.js';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder('repair-1');
  await stack.db.transaction().execute((trx) =>
    stack.store.apply(trx, {
      id: 'repair-1',
      event: 'payment.authorized',
      eventId: 'pay:repair-1',
      actor: 'payment-worker',
    }),
  );
});
afterAll(() => stack.close());

const PAGE = '/ops/orders/repair-1';

describe('order page and force', () => {
  it('shows state, version, the timeline and the diagram with the current state highlighted', async () => {
    const opsConsole = stack.console({
      orders: {
        store: stack.store,
        paymentIntent: async (id) => ({ status: 'authorized', order: id, amount: 1200 }),
        reservation: async () => undefined,
      },
    });
    const page = await (await opsConsole.fetch(get(PAGE, 'alice'))).text();
    expect(page).toContain('data-testid="order-state">PAYMENT_AUTHORIZED<');
    expect(page).toContain('data-testid="order-version">2<');
    expect(page).toMatch(/<g class="node current" data-state="PAYMENT_AUTHORIZED">/);
    expect(page).toMatch(/<g class="node visited" data-state="PENDING_PAYMENT">/);
    expect(page).toContain('payment.authorized');
    expect(page).toContain('payment-worker');
    expect(page).toContain('<th>status</th><td>authorized</td>');
    expect(page).toMatch(/data-testid="reservation"><h2>Inventory reservation<\/h2><p class="muted">none<\/p>/);
  });

  it('forces with a required reason, recorded with the operator as actor, and audited', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', PAGE);
    const missing = await opsConsole.fetch(
      post(`${PAGE}/force`, 'alice', { to: 'CANCELLED', reason: '  ', csrf }, { cookie }),
    );
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('reason: is required');
    const unknown = await opsConsole.fetch(
      post(`${PAGE}/force`, 'alice', { to: 'LIMBO', reason: 'x', csrf }, { cookie }),
    );
    expect(unknown.status).toBe(400);
    expect((await stack.store.get(stack.db, 'repair-1')).version).toBe(2);

    const response = await opsConsole.fetch(
      post(
        `${PAGE}/force`,
        'alice',
        { to: 'CANCELLED', reason: 'stuck after provider outage', expectedVersion: '2', csrf },
        { cookie },
      ),
    );
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('data-testid="force-done"');
    expect(page).toContain('stuck after provider outage');
    const history = await stack.store.history(stack.db, 'repair-1');
    expect(history.at(-1)).toMatchObject({
      kind: 'forced',
      from: 'PAYMENT_AUTHORIZED',
      to: 'CANCELLED',
      actor: 'support:alice',
      reason: 'stuck after provider outage',
    });
    expect(stack.audits.at(-1)).toMatchObject({
      action: 'force',
      operator: 'support:alice',
      outcome: 'done',
      target: 'order:repair-1',
      detail: { to: 'CANCELLED', reason: 'stuck after provider outage', version: 3 },
    });
  });

  it('a stale expectedVersion is refused with 409, nothing written, the failure audited', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', PAGE);
    const response = await opsConsole.fetch(
      post(`${PAGE}/force`, 'alice', { to: 'COMPLETED', reason: 'late click', expectedVersion: '2', csrf }, { cookie }),
    );
    expect(response.status).toBe(409);
    expect(response.headers.get('x-console-error')).toBe('CONSOLE_ACTION_REFUSED');
    expect((await stack.store.get(stack.db, 'repair-1')).state).toBe('CANCELLED');
    expect(stack.audits.at(-1)).toMatchObject({ action: 'force', outcome: 'failed' });
  });

  it('an unknown order is a 404 page; an over-long id is a 400', async () => {
    const opsConsole = stack.console();
    expect((await opsConsole.fetch(get('/ops/orders/nope', 'alice'))).status).toBe(404);
    expect((await opsConsole.fetch(get(`/ops/orders/${'x'.repeat(201)}`, 'alice'))).status).toBe(400);
    expect((await opsConsole.fetch(get('/ops/orders/%E0%A4%A', 'alice'))).status).toBe(400);
  });
});
