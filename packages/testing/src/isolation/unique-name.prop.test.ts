// Properties of uniqueName over generated prefixes: a valid prefix gives a name every backend takes
// (core's identifier rule, SQS and DynamoDB names) and never the same name twice; any other prefix
// is a TestingInputError naming `prefix`.
import { identifierProblem, isCheckoutError } from '@checkout/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestingInputError } from '../errors.js';
import { uniqueName } from './unique-name.js';

const prefix = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', 'A', '1a', 'a-b', 'a'.repeat(32), 'é', 'a\u0000', 'a\uD800'),
);

describe('uniqueName (property)', () => {
  it('a valid prefix gives distinct names valid everywhere; anything else is refused naming the prefix', () => {
    fc.assert(
      fc.property(prefix, (p) => {
        const valid = /^[a-z][a-z0-9_]{0,30}$/.test(p);
        let names: string[];
        try {
          names = [uniqueName(p), uniqueName(p), uniqueName(p)];
        } catch (error) {
          expect(valid).toBe(false);
          expect(error).toBeInstanceOf(TestingInputError);
          expect(isCheckoutError(error)).toBe(true);
          expect((error as TestingInputError).field).toBe('prefix');
          return;
        }
        expect(valid).toBe(true);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) {
          expect(name.startsWith(`${p}_`)).toBe(true);
          expect(identifierProblem(name)).toBeUndefined();
          // SQS queue names (80, [A-Za-z0-9_-]) and DynamoDB table names (3-255, [A-Za-z0-9_.-]).
          expect(name).toMatch(/^[a-z0-9_]{3,80}$/);
        }
      }),
    );
  });
});
