import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleStack, createConsoleStack, post, session } from './test-support/console-stack.js';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await createConsoleStack();
  await stack.createOrder('csrf-order-1');
});
afterAll(() => stack.close());

const force = { to: 'NEEDS_ATTENTION', reason: 'customer called' };
const state = async () => (await stack.store.get(stack.db, 'csrf-order-1')).state;

describe('CSRF protection of actions', () => {
  it('issues an HttpOnly, SameSite=Strict cookie scoped to the base path', async () => {
    const response = await stack
      .console()
      .fetch(new Request('http://console.test/ops/', { headers: { 'x-test-operator': 'alice' } }));
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^checkout_console_csrf=[0-9a-f]{32}; Path=\/ops; HttpOnly; SameSite=Strict$/);
  });

  it('refuses a POST without a token, with a wrong token, or without the cookie', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', '/ops/orders/csrf-order-1');
    expect(csrf).toMatch(/^[0-9a-f]{64}$/);
    const attempts = [
      post('/ops/orders/csrf-order-1/force', 'alice', force, { cookie }),
      post(
        '/ops/orders/csrf-order-1/force',
        'alice',
        { ...force, csrf: csrf.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
        { cookie },
      ),
      post('/ops/orders/csrf-order-1/force', 'alice', { ...force, csrf }),
      post(
        '/ops/orders/csrf-order-1/force',
        'alice',
        { ...force, csrf },
        { cookie: 'checkout_console_csrf=00000000000000000000000000000000' },
      ),
    ];
    for (const request of attempts) {
      const response = await opsConsole.fetch(request);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-console-error')).toBe('CONSOLE_CSRF_REJECTED');
    }
    expect(await state()).toBe('PENDING_PAYMENT');
  });

  it('refuses cross-site requests even with a valid token', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', '/ops/orders/csrf-order-1');
    for (const options of [
      { cookie, origin: 'https://evil.example' },
      { cookie, site: 'cross-site' },
    ]) {
      const response = await opsConsole.fetch(
        post('/ops/orders/csrf-order-1/force', 'alice', { ...force, csrf }, options),
      );
      expect(response.status).toBe(403);
      expect(response.headers.get('x-console-error')).toBe('CONSOLE_CSRF_REJECTED');
    }
    expect(await state()).toBe('PENDING_PAYMENT');
  });

  it('refuses a token signed with another secret', async () => {
    const other = stack.console({ csrfSecret: 'another-secret-of-at-least-32-characters' });
    const { cookie, csrf } = await session(other, 'alice', '/ops/orders/csrf-order-1');
    const response = await stack
      .console()
      .fetch(post('/ops/orders/csrf-order-1/force', 'alice', { ...force, csrf }, { cookie }));
    expect(response.status).toBe(403);
  });

  it('accepts a same-origin POST with the cookie and its token', async () => {
    const opsConsole = stack.console();
    const { cookie, csrf } = await session(opsConsole, 'alice', '/ops/orders/csrf-order-1');
    const response = await opsConsole.fetch(
      post('/ops/orders/csrf-order-1/force', 'alice', { ...force, csrf }, { cookie, site: 'same-origin' }),
    );
    expect(response.status).toBe(200);
    expect(await state()).toBe('NEEDS_ATTENTION');
  });

  it('mutating routes answer GET with a 404 page and other methods with 405', async () => {
    const opsConsole = stack.console();
    const getForce = await opsConsole.fetch(
      new Request('http://console.test/ops/orders/csrf-order-1/force', { headers: { 'x-test-operator': 'alice' } }),
    );
    expect(getForce.status).toBe(404);
    const put = await opsConsole.fetch(
      new Request('http://console.test/ops/', { method: 'PUT', headers: { 'x-test-operator': 'alice' } }),
    );
    expect(put.status).toBe(405);
  });
});
