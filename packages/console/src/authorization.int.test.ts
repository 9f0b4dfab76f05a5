import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleStack, createConsoleStack, get, post, session } from './test-support/console-stack.js';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder('auth-order-1');
});
afterAll(() => stack.close());

describe('authorize', () => {
  it('refuses a request without an operator with 401 and shows no data', async () => {
    const opsConsole = stack.console();
    for (const path of ['/ops/', '/ops/orders/auth-order-1', '/ops/queues/payment/dead-letters']) {
      const response = await opsConsole.fetch(get(path, undefined));
      expect(response.status).toBe(401);
      expect(response.headers.get('x-console-error')).toBe('CONSOLE_UNAUTHORIZED');
      const body = await response.text();
      expect(body).not.toContain('auth-order-1');
      expect(body).not.toContain('PENDING_PAYMENT');
    }
    const action = await opsConsole.fetch(
      post('/ops/orders/auth-order-1/force', undefined, { to: 'CANCELLED', reason: 'x' }),
    );
    expect(action.status).toBe(401);
    expect((await stack.store.get(stack.db, 'auth-order-1')).state).toBe('PENDING_PAYMENT');
  });

  it('a throwing authorize is a 500 refusal, never open access', async () => {
    const opsConsole = stack.console({
      authorize: () => {
        throw new Error('identity provider down');
      },
    });
    const response = await opsConsole.fetch(get('/ops/', 'alice'));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('identity provider down');
  });

  it('lets a read-only operator look but not act, and audits the refusal', async () => {
    const opsConsole = stack.console();
    const page = await opsConsole.fetch(get('/ops/orders/auth-order-1', 'bob'));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('read-only');
    expect(html).not.toContain('force-form');
    const { cookie } = await session(opsConsole, 'bob', '/ops/orders/auth-order-1');
    const { csrf } = await session(opsConsole, 'alice', '/ops/orders/auth-order-1');
    const before = stack.audits.length;
    const refused = await opsConsole.fetch(
      post('/ops/orders/auth-order-1/force', 'bob', { to: 'CANCELLED', reason: 'x', csrf }, { cookie }),
    );
    expect(refused.status).toBe(403);
    expect((await stack.store.get(stack.db, 'auth-order-1')).state).toBe('PENDING_PAYMENT');
    // bob's cookie with alice's token is a CSRF failure, not a permission check:
    expect(refused.headers.get('x-console-error')).toBe('CONSOLE_CSRF_REJECTED');
    const own = await session(opsConsole, 'bob', '/ops/orders/auth-order-1');
    expect(own.csrf).toBe('');
    expect(stack.audits.length).toBe(before);
  });

  it('readOnly: true refuses actions to every operator, audited as refused', async () => {
    const opsConsole = stack.console({ readOnly: true });
    const { cookie, html } = await session(opsConsole, 'alice', '/ops/orders/auth-order-1');
    expect(html).not.toContain('force-form');
    // a token minted by a console that allows acting, same secret: still refused by readOnly
    const { csrf } = await session(stack.console(), 'alice', '/ops/orders/auth-order-1');
    const response = await opsConsole.fetch(
      post('/ops/orders/auth-order-1/force', 'alice', { to: 'CANCELLED', reason: 'x', csrf }, { cookie }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('x-console-error')).toBe('CONSOLE_CSRF_REJECTED');
    const actingCookie = await session(stack.console(), 'alice', '/ops/orders/auth-order-1');
    const forbidden = await opsConsole.fetch(
      post(
        '/ops/orders/auth-order-1/force',
        'alice',
        { to: 'CANCELLED', reason: 'x', csrf: actingCookie.csrf },
        { cookie: actingCookie.cookie },
      ),
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('x-console-error')).toBe('CONSOLE_FORBIDDEN');
    expect(stack.audits.at(-1)).toMatchObject({ action: 'force', operator: 'support:alice', outcome: 'refused' });
    expect((await stack.store.get(stack.db, 'auth-order-1')).state).toBe('PENDING_PAYMENT');
  });
});
