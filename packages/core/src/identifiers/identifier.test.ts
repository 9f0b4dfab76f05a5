import { describe, expect, it } from 'vitest';
import { createSchemaSql } from './create-schema-sql.js';
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

describe('createSchemaSql', () => {
  it('creates the schema only when it is missing, quoting the validated name', () => {
    expect(createSchemaSql('Checkout')).toBe(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'Checkout') THEN CREATE SCHEMA "Checkout"; END IF; END $$`,
    );
    expect(() => createSchemaSql("x'; DROP TABLE y; --")).toThrow(TypeError);
    expect(() => createSchemaSql('')).toThrow(TypeError);
  });
});
