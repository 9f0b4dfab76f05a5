// Properties of the property-test settings: runs scale with CHECKOUT_PROP_RUNS and never drop
// below 1; anything but a positive integer (or an integer seed) is refused naming the variable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestingConfigError } from '../errors.js';
import { PROPERTY_ENV, propertyReplay, propertyRuns } from './property-runs.js';

describe('propertyRuns / propertyReplay (property)', () => {
  it('scales the default by CHECKOUT_PROP_RUNS / 100, at least 1, and refuses anything but a positive integer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.oneof(
          fc.integer({ min: -5, max: 100_000 }).map(String),
          fc.string({ maxLength: 6 }),
          fc.constantFrom(undefined, ' 5', '1e3', '0x10', '07', '2.5'),
        ),
        (base, runs) => {
          const env = runs === undefined ? {} : { [PROPERTY_ENV.runs]: runs };
          const valid = runs === undefined || runs === '' || /^[1-9][0-9]*$/.test(runs);
          if (!valid) {
            expect(() => propertyRuns(base, env)).toThrow(TestingConfigError);
            return;
          }
          const expected =
            runs === undefined || runs === '' ? base : Math.max(1, Math.round((base * Number(runs)) / 100));
          expect(propertyRuns(base, env)).toBe(expected);
        },
      ),
    );
  });

  it('reads back any integer seed and any path, and refuses a seed that is not an integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer().map(String), fc.string({ maxLength: 6 }), fc.constantFrom('1e3', ' 7', '-0x1')),
        fc.string({ maxLength: 12 }),
        (seed, path) => {
          const env = { [PROPERTY_ENV.seed]: seed, [PROPERTY_ENV.path]: path };
          const isInteger = /^-?[0-9]+$/.test(seed) && Number.isSafeInteger(Number(seed));
          if (seed !== '' && !isInteger) {
            expect(() => propertyReplay(env)).toThrow(expect.objectContaining({ field: PROPERTY_ENV.seed }));
            return;
          }
          expect(propertyReplay(env)).toEqual({
            ...(seed === '' ? {} : { seed: Number(seed) }),
            ...(path === '' ? {} : { path }),
          });
        },
      ),
    );
  });
});
