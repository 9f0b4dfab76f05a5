import { TestingConfigError } from '../errors.js';

/** The variables `pnpm test:properties` sets and {@link propertyRuns} / {@link propertyReplay} read. */
export const PROPERTY_ENV = {
  /** Runs of a property with the default of 100 (fast-check's); the others scale with it. */
  runs: 'CHECKOUT_PROP_RUNS',
  /** The seed fast-check printed for a failure (replays it). */
  seed: 'CHECKOUT_PROP_SEED',
  /** The path fast-check printed for a failure (replays the shrunk counterexample directly). */
  path: 'CHECKOUT_PROP_PATH',
} as const;

/** The replay settings {@link propertyReplay} reads; spread into fast-check's `fc.assert` parameters. */
export interface PropertyReplay {
  readonly seed?: number;
  readonly path?: string;
}

/**
 * How many runs a property makes: `defaultRuns` in a plain `pnpm test`, scaled by
 * `CHECKOUT_PROP_RUNS / 100` when it is set (`pnpm test:properties --runs 1000` makes a property
 * with the default of 100 runs run 1 000 times, and a database-backed one written with 20 runs 200
 * times). Never below 1. A `CHECKOUT_PROP_RUNS` that is not a positive integer throws
 * `TestingConfigError` (field `CHECKOUT_PROP_RUNS`).
 *
 * @example
 * ```ts
 * import { propertyRuns } from '@checkout/testing/vitest';
 * import fc from 'fast-check';
 *
 * fc.assert(
 *   fc.property(fc.string(), (text) => text.length >= 0),
 *   { numRuns: propertyRuns(20) },
 * );
 * ```
 */
export function propertyRuns(defaultRuns: number, env: NodeJS.ProcessEnv = process.env): number {
  if (!Number.isSafeInteger(defaultRuns) || defaultRuns < 1) {
    throw new TestingConfigError('defaultRuns', `must be a positive integer, got ${String(defaultRuns)}`);
  }
  const scale = positiveInteger(env, PROPERTY_ENV.runs);
  if (scale === undefined) return defaultRuns;
  return Math.max(1, Math.round((defaultRuns * scale) / 100));
}

/**
 * The seed and path of a failure to replay, from `CHECKOUT_PROP_SEED` and `CHECKOUT_PROP_PATH`
 * (empty when unset). A seed that is not an integer throws `TestingConfigError`.
 *
 * @example
 * ```ts
 * import { propertyReplay } from '@checkout/testing/vitest';
 * import fc from 'fast-check';
 *
 * fc.configureGlobal({ ...fc.readConfigureGlobal(), ...propertyReplay() });
 * ```
 */
export function propertyReplay(env: NodeJS.ProcessEnv = process.env): PropertyReplay {
  const seedText = env[PROPERTY_ENV.seed];
  const path = env[PROPERTY_ENV.path];
  let seed: number | undefined;
  if (seedText !== undefined && seedText !== '') {
    seed = Number(seedText);
    if (!/^-?[0-9]+$/.test(seedText) || !Number.isSafeInteger(seed)) {
      throw new TestingConfigError(
        PROPERTY_ENV.seed,
        `must be an integer (the seed fast-check printed), got ${seedText}`,
      );
    }
  }
  return {
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined || path === '' ? {} : { path }),
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(value)) {
    throw new TestingConfigError(name, `must be a positive integer, got ${text}`);
  }
  return value;
}
