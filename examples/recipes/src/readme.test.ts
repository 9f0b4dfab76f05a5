import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/<!-- recipe: (\S+) -->\n\n```ts no-check\n([\s\S]*?)```/g)].map((match) => ({
  path: match[1] ?? '',
  code: match[2] ?? '',
}));

describe('README.md', () => {
  it('shows the four recipes', () => {
    expect(blocks.map((block) => block.path)).toEqual([
      'src/express/express-app.ts',
      'src/fastify/fastify-app.ts',
      'src/hono/hono-app.ts',
      'src/nest/nest-app.ts',
    ]);
  });

  // The blocks are not compiled on their own (their imports are relative to src/): they are the
  // type-checked, tested files verbatim.
  it.each(blocks)('shows $path verbatim', ({ path, code }) => {
    expect(code).toBe(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'));
  });
});
