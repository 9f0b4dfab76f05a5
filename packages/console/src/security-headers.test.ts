import { describe, expect, it } from 'vitest';
import { createConsole } from './console.js';
import { CONTENT_SECURITY_POLICY } from './security/headers.js';

const opsConsole = createConsole({
  basePath: '/ops',
  csrfSecret: 's'.repeat(32),
  authorize: (request) => (request.headers.get('x-op') === 'a' ? { id: 'a', canAct: true } : undefined),
  audit: () => {},
});
const as = (path: string, op?: string) =>
  opsConsole.fetch(new Request(`http://h${path}`, { headers: op === undefined ? {} : { 'x-op': op } }));

describe('security headers and CSP', () => {
  it('sends the strict CSP and the other headers on pages, assets and refusals', async () => {
    for (const response of [
      await as('/ops/', 'a'),
      await as('/ops/assets/console.css', 'a'),
      await as('/ops/'),
      await as('/ops/nope', 'a'),
    ]) {
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('pages have no inline script, inline style, event handler attribute or external asset', async () => {
    const page = await (await as('/ops/', 'a')).text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style/);
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/\son[a-z]+=/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toContain('<script src="/ops/assets/console.js" defer></script>');
    expect(page).toContain('<link rel="stylesheet" href="/ops/assets/console.css">');
  });

  it('serves its own stylesheet and script, to signed-in operators only', async () => {
    const css = await as('/ops/assets/console.css', 'a');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.age-alarm');
    const js = await as('/ops/assets/console.js', 'a');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await as('/ops/assets/console.js')).status).toBe(401);
  });

  it('answers 404 outside its base path', async () => {
    const response = await as('/elsewhere', 'a');
    expect(response.status).toBe(404);
    expect(response.headers.get('x-console-error')).toBe('CONSOLE_NOT_FOUND');
  });
});
