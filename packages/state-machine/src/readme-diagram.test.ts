import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderReadmeDiagram } from '../scripts/readme-diagram.js';

describe('README state diagram', () => {
  it('matches a fresh render of orderMachine (regenerate: pnpm --filter @checkout/state-machine diagram)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(
      renderReadmeDiagram(readme),
      'README.md diagram is stale: run pnpm --filter @checkout/state-machine diagram',
    ).toBe(readme);
  });
});
