import { fieldPath } from '@checkout/core';
import type { AnyCommand } from '../envelope/codec.js';
import type { CommandDefinition } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { type CommandOutboxMessage, commandMessage, type EnqueueCommandMeta } from './enqueue-command.js';

/** At most this many commands per `enqueueCommands` call (the outbox's own limit per call is higher). */
const MAX_COMMANDS = 100;

/**
 * What `enqueueCommands` needs of an outbox: `enqueue(trx, messages)` taking a list and writing it in
 * one call, typed structurally like {@link CommandOutbox}. `@checkout/outbox`'s `Outbox` satisfies it
 * (its `enqueue` writes any number of rows in one statement).
 */
export interface CommandBatchOutbox<TTrx> {
  /** Writes every message inside `trx`, in order; the result is ignored. */
  readonly enqueue: (trx: TTrx, messages: readonly CommandOutboxMessage[]) => Promise<unknown>;
}

/** The payload type `command` takes (its schema's input). */
export type CommandInput<C> = C extends CommandDefinition<string, unknown, infer TInput> ? TInput : never;

/** The envelope `command` produces (its type and its schema's output). */
export type CommandEnvelope<C> =
  C extends CommandDefinition<infer TType, infer TPayload, unknown> ? Envelope<TType, TPayload> : never;

/** One command of {@link enqueueCommands}: the arguments `enqueueCommand` takes after `trx`. */
export interface CommandToEnqueue<C extends AnyCommand> {
  readonly command: C;
  readonly payload: CommandInput<NoInfer<C>>;
  readonly meta: EnqueueCommandMeta;
}

/**
 * `enqueueCommand` for several commands of one transaction, written with ONE outbox call (one
 * `INSERT` with `@checkout/outbox`) instead of one per command: a handler that sends a receipt and an
 * analytics event pays one round trip. Each command is checked and encoded exactly as by
 * `enqueueCommand` (destination, `meta`, derived key, payload schema) and ALL of them before any SQL:
 * a refusal names the command, `commands[1].payload.lines[2].quantity` (`InvalidPayloadError`) or
 * `commands[0].destination` (`WorkersConfigError`), and writes nothing, so your transaction can still
 * commit. The rows keep the order of `commands` (the relay publishes one order's rows in that order).
 * Resolves to the envelopes, in the same order; an empty list writes nothing. At most 100 commands.
 *
 * @example
 * ```ts
 * import { createOutbox } from '@checkout/outbox';
 * import { defineCommand } from '@checkout/workers';
 * import { enqueueCommands } from '@checkout/workers/outbox';
 * import type { Kysely } from 'kysely';
 * import { z } from 'zod';
 *
 * declare const db: Kysely<{ orders: { id: string; status: string } }>;
 * const outbox = createOutbox({ schema: 'checkout' });
 * const sendReceipt = defineCommand({
 *   type: 'SendReceipt',
 *   version: 1,
 *   payload: z.object({ template: z.string() }),
 *   destination: 'checkout-emails',
 * });
 * const publishAnalytics = defineCommand({
 *   type: 'PublishAnalytics',
 *   version: 1,
 *   payload: z.object({ outcome: z.string() }),
 *   destination: 'checkout-analytics',
 * });
 *
 * const [receipt, analytics] = await db.transaction().execute(async (trx) => {
 *   await trx.updateTable('orders').set({ status: 'completed' }).where('id', '=', 'ord_1').execute();
 *   return enqueueCommands(outbox, trx, [
 *     { command: sendReceipt, payload: { template: 'confirmation' }, meta: { orderId: 'ord_1', key: 'confirmation' } },
 *     { command: publishAnalytics, payload: { outcome: 'COMPLETED' }, meta: { orderId: 'ord_1' } },
 *   ]);
 * });
 * console.log(receipt.idempotencyKey, analytics.payload.outcome); // 'ord_1:SendReceipt:confirmation', 'COMPLETED'
 * ```
 */
export async function enqueueCommands<TTrx, const C extends readonly AnyCommand[]>(
  outbox: CommandBatchOutbox<NoInfer<TTrx>>,
  trx: TTrx,
  commands: { readonly [K in keyof C]: CommandToEnqueue<C[K]> },
): Promise<{ -readonly [K in keyof C]: CommandEnvelope<C[K]> }> {
  if (typeof outbox?.enqueue !== 'function') {
    throw new WorkersConfigError('outbox', 'must have an enqueue(trx, messages) function (an Outbox)');
  }
  if (!Array.isArray(commands)) throw new InvalidPayloadError('commands', 'must be an array');
  // Array.from turns holes of a sparse array into `undefined`, so every slot is checked.
  const list: readonly unknown[] = Array.from(commands as readonly unknown[]);
  if (list.length > MAX_COMMANDS) {
    throw new InvalidPayloadError('commands', `at most ${MAX_COMMANDS} commands per call, got ${list.length}`);
  }
  const envelopes: Envelope[] = [];
  const messages: CommandOutboxMessage[] = [];
  for (const [index, entry] of list.entries()) {
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidPayloadError(fieldPath('commands', index), 'must be { command, payload, meta }');
    }
    const { command, payload, meta } = entry as { command?: unknown; payload?: unknown; meta?: unknown };
    try {
      const built = await commandMessage(command as AnyCommand, payload, meta as EnqueueCommandMeta);
      envelopes.push(built.envelope);
      messages.push(built.message);
    } catch (error) {
      throw withIndex(error, index);
    }
  }
  if (messages.length > 0) await outbox.enqueue(trx, messages);
  return envelopes as { -readonly [K in keyof C]: CommandEnvelope<C[K]> };
}

/** The same refusal, its `field` under `commands[index]`; other errors unchanged. */
function withIndex(error: unknown, index: number): unknown {
  const under = (field: string) => `${fieldPath('commands', index)}.${field}`;
  const message = (error: Error, field: string) => error.message.slice(field.length + 2);
  if (error instanceof InvalidPayloadError) {
    return new InvalidPayloadError(under(error.field), message(error, error.field));
  }
  if (error instanceof WorkersConfigError) {
    return new WorkersConfigError(under(error.field), message(error, error.field));
  }
  return error;
}
