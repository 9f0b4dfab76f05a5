import { fieldPath, sqsTextProblem } from '@checkout/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { WorkersConfigError } from '../errors.js';
import { isStandardSchema } from './standard-schema.js';

/** Turns a payload of version `n` into one of version `n + 1`. */
export type Upcaster = (payload: unknown) => unknown;

/** What `defineCommand` takes. */
export interface CommandSpec<TType extends string, TSchema extends StandardSchemaV1> {
  /** Command type written into every envelope, e.g. `AuthorizePayment`. */
  readonly type: TType;
  /** Current payload version (integer >= 1). */
  readonly version: number;
  /**
   * Schema of the current payload version: any [Standard Schema](https://standardschema.dev) v1
   * (zod 4, valibot, arktype, or your own object with `~standard`); its `validate` may answer
   * synchronously or with a promise. Keep it JSON-shaped (no transforms to non-JSON values).
   */
  readonly payload: TSchema;
  /**
   * Upgrades for old payloads, keyed by the version they upgrade FROM: `{ 1: (v1) => v2 }`.
   * A message of version `k` runs `upcast[k]`, `upcast[k + 1]`, ... up to `version`, then the schema.
   */
  readonly upcast?: Readonly<Record<number, Upcaster>>;
  /**
   * Logical queue the command is sent to (the outbox's `destination`, e.g. `checkout-commands`;
   * your publisher maps it to a queue URL): 1-256 printable ASCII characters (`[\x21-\x7e]`).
   * Required by `enqueueCommand` (`@checkout/workers/outbox`); optional otherwise.
   */
  readonly destination?: string;
}

/**
 * A versioned command type: its name, current version, payload schema and upcasters. `TPayload` is
 * the schema's output (what handlers receive), `TInput` its input (what `encode` takes).
 */
export interface CommandDefinition<TType extends string = string, TPayload = unknown, TInput = TPayload> {
  /** Command type written into every envelope. */
  readonly type: TType;
  /** Current payload version. */
  readonly version: number;
  /** Standard Schema of the current payload version. */
  readonly payload: StandardSchemaV1<TInput, TPayload>;
  /** Upcasters keyed by the version they upgrade from. */
  readonly upcast: Readonly<Record<number, Upcaster>>;
  /** Logical queue the command is sent to, or `undefined` when it was defined without one. */
  readonly destination: string | undefined;
}

/** The outbox's destination rule: 1-256 printable ASCII characters. */
const DESTINATION = /^[\x21-\x7e]{1,256}$/;

/** Why `value` is not a destination, or `undefined` when it is one. Internal. */
export function destinationProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${value === null ? 'null' : typeof value}`;
  return DESTINATION.test(value) ? undefined : 'must be 1-256 printable ASCII characters (no spaces)';
}

/**
 * Declares a command type. The same definition is used by producers (`encode`) and consumers
 * (`decode`, handlers), so both sides share one contract. The payload schema is any Standard
 * Schema (zod shown; zod is not a dependency of this package).
 *
 * @throws WorkersConfigError naming `type`, `version`, `payload`, `upcast.<n>` or `destination`.
 * @example
 * ```ts
 * import { defineCommand } from '@checkout/workers';
 * import { z } from 'zod';
 *
 * const chargeCard = defineCommand({
 *   type: 'ChargeCard',
 *   version: 2,
 *   payload: z.object({ amountMinor: z.int(), currency: z.string().length(3) }),
 *   upcast: { 1: (v1) => ({ ...(v1 as object), currency: 'EUR' }) },
 *   destination: 'checkout-payments', // where enqueueCommand sends it
 * });
 * ```
 */
export function defineCommand<const TType extends string, TSchema extends StandardSchemaV1>(
  spec: CommandSpec<TType, TSchema>,
): CommandDefinition<TType, StandardSchemaV1.InferOutput<TSchema>, StandardSchemaV1.InferInput<TSchema>> {
  if (typeof spec.type !== 'string' || spec.type.length === 0 || spec.type.length > 256) {
    throw new WorkersConfigError('type', 'must be a non-empty string of at most 256 characters');
  }
  const typeProblem = sqsTextProblem(spec.type);
  if (typeProblem !== undefined) throw new WorkersConfigError('type', typeProblem);
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new WorkersConfigError('version', `must be an integer >= 1, got ${String(spec.version)}`);
  }
  if (!isStandardSchema(spec.payload)) {
    throw new WorkersConfigError(
      'payload',
      'must be a Standard Schema v1 (an object with ["~standard"].version 1 and validate(), e.g. a zod 4 schema)',
    );
  }
  const upcast = { ...spec.upcast };
  for (const key of Object.keys(upcast)) {
    const from = Number(key);
    if (!Number.isInteger(from) || from < 1 || from >= spec.version) {
      throw new WorkersConfigError(
        fieldPath('upcast', Number.isInteger(from) ? from : key),
        `upcasters are keyed by a version from 1 to ${spec.version - 1}`,
      );
    }
    if (typeof upcast[from] !== 'function')
      throw new WorkersConfigError(fieldPath('upcast', from), 'must be a function');
  }
  if (spec.destination !== undefined) {
    const problem = destinationProblem(spec.destination);
    if (problem !== undefined) throw new WorkersConfigError('destination', problem);
  }
  return Object.freeze({
    type: spec.type,
    version: spec.version,
    payload: spec.payload as StandardSchemaV1<
      StandardSchemaV1.InferInput<TSchema>,
      StandardSchemaV1.InferOutput<TSchema>
    >,
    upcast: Object.freeze(upcast),
    destination: spec.destination,
  });
}
