import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole } from '../console.js';
import { toExpressMiddleware } from './express.js';
import { toHonoHandler } from './hono.js';
import { toNodeHandler } from './node.js';

const opsConsole = createConsole({
  basePath: '/ops',
  csrfSecret: 's'.repeat(32),
  authorize: (request) =>
    request.headers.get('authorization') === 'Bearer ok' ? { id: 'op', canAct: true } : undefined,
  audit: () => {},
});

let base = '';
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  if (request.url?.startsWith('/mounted/')) {
    // What Express does for app.use('/ops', ...): req.url loses the mount path, originalUrl keeps it.
    const original = `/ops${request.url.slice('/mounted'.length)}`;
    Object.assign(request, { originalUrl: original, url: request.url.slice('/mounted'.length) });
    toExpressMiddleware(opsConsole)(request, response, () => response.end('next'));
    return;
  }
  void toNodeHandler(opsConsole)(request, response);
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('adapters', () => {
  it('Node http: serves pages with headers and cookies, refuses without an operator', async () => {
    const page = await fetch(`${base}/ops/`, { headers: { authorization: 'Bearer ok' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.getSetCookie()[0]).toMatch(/^checkout_console_csrf=/);
    expect((await fetch(`${base}/ops/`)).status).toBe(401);
  });

  it('Node http: answers 413 to an oversized body without reaching the console', async () => {
    const response = await fetch(`${base}/ops/outbox/requeue-dead`, {
      method: 'POST',
      headers: { authorization: 'Bearer ok', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(70_000, 'x'),
    });
    expect(response.status).toBe(413);
  });

  it('Express: reads originalUrl under a mount path', async () => {
    const response = await fetch(`${base}/mounted/assets/console.css`, { headers: { authorization: 'Bearer ok' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('Hono: hands the raw request to the console', async () => {
    const response = await toHonoHandler(opsConsole)({ req: { raw: new Request('http://h/ops/') } });
    expect(response.status).toBe(401);
  });
});
