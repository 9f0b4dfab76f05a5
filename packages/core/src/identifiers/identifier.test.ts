import { describe, expect, it } from 'vitest';
import { identifierProblem, MAX_IDENTIFIER_LENGTH } from './identifier.js';

describe('identifierProblem', () => {
  it('accepts one rule for every package', () => {
    for (const name of ['public', 'Checkout', '_x', 'checkout_outbox', 'a'.repeat(MAX_IDENTIFIER_LENGTH)]) {
      expect(identifierProblem(name)).toBeUndefined();
    }
  });
  it('refuses the rest, saying why', () => {
    expect(identifierProblem('')).toMatch(/empty/);
    expect(identifierProblem('1abc')).toMatch(/must match/);
    expect(identifierProblem('a-b')).toMatch(/must match/);
    expect(identifierProblem('a"b')).toMatch(/must match/);
    expect(identifierProblem('é')).toMatch(/must match/);
    expect(identifierProblem('a'.repeat(MAX_IDENTIFIER_LENGTH + 1))).toMatch(/at most/);
    expect(identifierProblem(42)).toMatch(/string/);
  });
});
