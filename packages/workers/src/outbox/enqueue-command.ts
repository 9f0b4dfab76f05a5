import { sqsTextProblem } from '@checkout/core';
import { encode } from '../envelope/codec.js';
import { commandKey } from '../envelope/command-key.js';
import { type CommandDefinition, destinationProblem } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { InvalidPayloadError, WorkersConfigError } from '../errors.js';
import { activeTraceparent } from '../tracing/trace-context.js';

/** Longest `idempotencyKey` an envelope may carry, in UTF-16 units. */
const MAX_KEY_CHARS = 256;

/**
 * The row `enqueueCommand` hands to the outbox: the shape of `@checkout/outbox`'s `OutboxMessage`
 * that it fills in.
 */
export interface CommandOutboxMessage {
  /** The command's `destination`. */
  readonly destination: string;
  /** The order id: one relay at a time per order, and the FIFO `MessageGroupId`. */
  readonly groupKey: string;
  /** The envelope (the outbox stores and sends `JSON.stringify(body)`). */
  readonly body: Envelope;
  /** One SQS message attribute, `type`: the command type. */
  readonly attributes: { readonly type: string };
  /** SQS `DelaySeconds`, when asked for. */
  readonly delaySeconds?: number;
  /** The envelope's `traceparent`, when it has one: the outbox stores it as the row's trace context. */
  readonly traceparent?: string;
}

/**
 * What `enqueueCommand` needs of an outbox, typed structurally so that `@checkout/workers` does not
 * depend on `@checkout/outbox`: `@checkout/outbox`'s `Outbox` satisfies it (for any `Transaction`).
 * `TTrx` is your transaction type (a Kysely `Transaction`).
 */
export interface CommandOutbox<TTrx> {
  /** Writes `message` inside `trx`; the result is ignored. (A property, so `trx` is checked strictly.) */
  readonly enqueue: (trx: TTrx, message: CommandOutboxMessage) => Promise<unknown>;
}

/** What `enqueueCommand` puts around a payload. */
export interface EnqueueCommandMeta {
  /** The order the command is about: the envelope's `orderId` and the outbox group key. */
  readonly orderId: string;
  /**
   * Discriminator for a command sent more than once per order (e.g. a receipt template); part of
   * the idempotency key `commandKey(orderId, command, key)`.
   */
  readonly key?: string;
  /** Defaults to a fresh ULID. */
  readonly messageId?: string;
  /** Defaults to now. */
  readonly occurredAt?: Date | string;
  /**
   * W3C `traceparent` of the producing request. Default: the active OpenTelemetry span's (inside a
   * worker's handler, its `process` span), when `@opentelemetry/api` is installed and a span is active.
   */
  readonly traceparent?: string;
  /** SQS `DelaySeconds` (0-900, standard queues; the outbox checks it). */
  readonly delaySeconds?: number;
}

/**
 * Encodes `command` and adds it to the outbox inside your transaction `trx`, the one way commands
 * reach SQS: the envelope's `idempotencyKey` is `commandKey(orderId, command, meta.key)`, the row
 * goes to `command.destination`, its group key is the order id and it carries the attribute
 * `{ type: command.type }`. Resolves to the envelope (its `messageId` and `idempotencyKey`). Commit
 * and the relay publishes it; roll back and it never existed.
 *
 * Checked before any SQL, in this order (nothing written, your transaction can still commit):
 * a command without a valid `destination` or an `outbox` without `enqueue` is a
 * `WorkersConfigError` (`field` `destination` or `outbox`); a bad `meta` (`key`, `orderId`), a
 * derived key over 256 characters (`idempotencyKey`) or a payload the schema refuses
 * (`payload.lines[2].quantity`) is an `InvalidPayloadError` naming the field. The outbox's own errors
 * (an order id that is not a group key, 1-128 printable ASCII: `OutboxInputError` with `field`
 * `message.groupKey`; a bad `delaySeconds`: `message.delaySeconds`)
 * propagate unchanged.
 *
 * @example
 * ```ts
 * import { createOutbox } from '@checkout/outbox';
 * import { defineCommand } from '@checkout/workers';
 * import { enqueueCommand } from '@checkout/workers/outbox';
 * import type { Kysely } from 'kysely';
 * import { z } from 'zod';
 *
 * declare const db: Kysely<{ orders: { id: string; status: string } }>;
 * const outbox = createOutbox({ schema: 'checkout' });
 * const authorizePayment = defineCommand({
 *   type: 'AuthorizePayment',
 *   version: 1,
 *   payload: z.object({ amountMinor: z.int().min(1) }),
 *   destination: 'checkout-payments',
 * });
 *
 * const envelope = await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values({ id: 'ord_1', status: 'placed' }).execute();
 *   return enqueueCommand(outbox, trx, authorizePayment, { amountMinor: 4200 }, { orderId: 'ord_1' });
 * });
 * console.log(envelope.messageId, envelope.idempotencyKey); // ..., 'ord_1:AuthorizePayment'
 * ```
 */
export async function enqueueCommand<TTrx, TType extends string, TPayload, TInput>(
  outbox: CommandOutbox<NoInfer<TTrx>>,
  trx: TTrx,
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TInput,
  meta: EnqueueCommandMeta,
): Promise<Envelope<TType, TPayload>> {
  if (typeof outbox?.enqueue !== 'function') {
    throw new WorkersConfigError('outbox', 'must have an enqueue(trx, message) function (an Outbox)');
  }
  const { envelope, message } = await commandMessage(command, payload, meta);
  await outbox.enqueue(trx, message);
  return envelope;
}

/**
 * Checks and encodes one command into its outbox row: every check of {@link enqueueCommand} after the
 * outbox's, in the same order, before any SQL. Internal (also used by `enqueueCommands`).
 */
export async function commandMessage<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  payload: TInput,
  meta: EnqueueCommandMeta,
): Promise<{ readonly envelope: Envelope<TType, TPayload>; readonly message: CommandOutboxMessage }> {
  const destination: unknown = command?.destination;
  if (destination === undefined) {
    throw new WorkersConfigError(
      'destination',
      `command ${JSON.stringify(String(command?.type))} has no destination: give defineCommand a destination to enqueue it`,
    );
  }
  const problem = destinationProblem(destination);
  if (problem !== undefined) throw new WorkersConfigError('destination', problem);
  if (typeof meta !== 'object' || meta === null) throw new InvalidPayloadError('meta', 'must be an object');
  if (typeof meta.orderId === 'string') {
    const orderProblem =
      meta.orderId.length === 0 || meta.orderId.length > MAX_KEY_CHARS
        ? `must be 1 to ${MAX_KEY_CHARS} characters long`
        : sqsTextProblem(meta.orderId);
    if (orderProblem !== undefined) throw new InvalidPayloadError('orderId', orderProblem);
  }
  if (meta.key !== undefined) {
    const keyProblem = typeof meta.key === 'string' ? sqsTextProblem(meta.key) : undefined;
    if (keyProblem !== undefined) throw new InvalidPayloadError('key', keyProblem);
  }
  const idempotencyKey = commandKey(meta.orderId, command.type, meta.key);
  if (idempotencyKey.length > MAX_KEY_CHARS) {
    throw new InvalidPayloadError(
      'idempotencyKey',
      `commandKey(orderId, type, key) is ${idempotencyKey.length} characters long, at most ${MAX_KEY_CHARS}: shorten orderId or key`,
    );
  }
  const traceparent = meta.traceparent ?? activeTraceparent();
  const envelope = await encode(command, payload, {
    orderId: meta.orderId,
    idempotencyKey,
    ...(meta.messageId === undefined ? {} : { messageId: meta.messageId }),
    ...(meta.occurredAt === undefined ? {} : { occurredAt: meta.occurredAt }),
    ...(traceparent === undefined ? {} : { traceparent }),
  });
  const message: CommandOutboxMessage = {
    destination: destination as string,
    groupKey: envelope.orderId,
    body: envelope,
    attributes: { type: envelope.type },
    ...(meta.delaySeconds === undefined ? {} : { delaySeconds: meta.delaySeconds }),
    ...(meta.traceparent === undefined ? {} : { traceparent: meta.traceparent }),
  };
  return { envelope, message };
}
