import type { z } from 'zod';
import { InvalidOptionsError } from '../errors.js';
import { textProblem } from './sqs-text.js';

/** Turns a payload of version `n` into one of version `n + 1`. */
export type Upcaster = (payload: unknown) => unknown;

/** What `defineCommand` takes. */
export interface CommandSpec<TType extends string, TSchema extends z.ZodType> {
  /** Command type written into every envelope, e.g. `AuthorizePayment`. */
  readonly type: TType;
  /** Current payload version (integer >= 1). */
  readonly version: number;
  /** Zod schema of the current payload version. Keep it JSON-shaped (no transforms to non-JSON values). */
  readonly payload: TSchema;
  /**
   * Upgrades for old payloads, keyed by the version they upgrade FROM: `{ 1: (v1) => v2 }`.
   * A message of version `k` runs `upcast[k]`, `upcast[k + 1]`, ... up to `version`, then the schema.
   */
  readonly upcast?: Readonly<Record<number, Upcaster>>;
}

/** A versioned command type: its name, current version, payload schema and upcasters. */
export interface CommandDefinition<TType extends string = string, TPayload = unknown, TInput = TPayload> {
  /** Command type written into every envelope. */
  readonly type: TType;
  /** Current payload version. */
  readonly version: number;
  /** Schema of the current payload version. */
  readonly payload: z.ZodType<TPayload, TInput>;
  /** Upcasters keyed by the version they upgrade from. */
  readonly upcast: Readonly<Record<number, Upcaster>>;
}

/**
 * Declares a command type. The same definition is used by producers (`encode`) and consumers
 * (`decode`, handlers), so both sides share one contract.
 *
 * @example
 * ```ts
 * const chargeCard = defineCommand({
 *   type: 'ChargeCard',
 *   version: 2,
 *   payload: z.object({ amountMinor: z.int(), currency: z.string().length(3) }),
 *   upcast: { 1: (v1) => ({ ...(v1 as object), currency: 'EUR' }) },
 * });
 * ```
 */
export function defineCommand<const TType extends string, TSchema extends z.ZodType>(
  spec: CommandSpec<TType, TSchema>,
): CommandDefinition<TType, z.output<TSchema>, z.input<TSchema>> {
  if (typeof spec.type !== 'string' || spec.type.length === 0 || spec.type.length > 256) {
    throw new InvalidOptionsError('type', 'must be a non-empty string of at most 256 characters');
  }
  const typeProblem = textProblem(spec.type);
  if (typeProblem !== undefined) throw new InvalidOptionsError('type', typeProblem);
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new InvalidOptionsError('version', `must be an integer >= 1, got ${String(spec.version)}`);
  }
  const upcast = { ...spec.upcast };
  for (const key of Object.keys(upcast)) {
    const from = Number(key);
    if (!Number.isInteger(from) || from < 1 || from >= spec.version) {
      throw new InvalidOptionsError(`upcast.${key}`, `upcasters are keyed by a version from 1 to ${spec.version - 1}`);
    }
  }
  return Object.freeze({
    type: spec.type,
    version: spec.version,
    payload: spec.payload as z.ZodType<z.output<TSchema>, z.input<TSchema>>,
    upcast: Object.freeze(upcast),
  });
}
