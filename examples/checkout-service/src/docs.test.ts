import { readFileSync } from 'node:fs';
import { orderMachine, toMermaid } from '@checkout/state-machine';
import { describe, expect, it } from 'vitest';

describe('docs/architecture.md', () => {
  it('holds the order state diagram toMermaid(orderMachine) renders', () => {
    const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
    const block = /<!-- order-machine:start -->\n```mermaid\n([\s\S]*?)\n```\n<!-- order-machine:end -->/.exec(
      doc,
    )?.[1];
    expect(block).toBe(toMermaid(orderMachine).trimEnd());
  });
});
