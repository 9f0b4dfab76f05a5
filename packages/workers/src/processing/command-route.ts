import type { AnyCommand } from '../envelope/codec.js';
import type { CommandDefinition } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';

/** What a command handler learns about the delivery besides the envelope. */
export interface CommandContext {
  /** SQS message id of this delivery (differs from `envelope.messageId` after a redrive). */
  readonly sqsMessageId: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number;
  /** When SQS accepted the message (`SentTimestamp`), when known. */
  readonly sentAt: Date | undefined;
  /** FIFO `MessageGroupId`, when the queue is FIFO. */
  readonly messageGroupId: string | undefined;
  /** Aborted when the worker must give up (consumer stop timeout, Lambda about to time out). */
  readonly signal: AbortSignal;
}

/** A command handler: resolve to acknowledge, throw to fail (see the error taxonomy). */
export type CommandHandler<TType extends string, TPayload> = (
  envelope: Envelope<TType, TPayload>,
  context: CommandContext,
) => Promise<void> | void;

/** A command bound to its handler; pass a list of them as `commands`. */
export interface CommandRoute {
  /** The command this route handles. */
  readonly command: AnyCommand;
  /** The handler, typed loosely here; `handleCommand` types it for you. */
  readonly handle: (envelope: Envelope, context: CommandContext) => Promise<void> | void;
}

/**
 * Binds a handler to a command definition. The handler receives the decoded, upcast and validated
 * envelope, typed by the command's payload schema.
 *
 * @example
 * ```ts
 * import { type CommandDefinition, handleCommand } from '@checkout/workers';
 *
 * declare const chargeCard: CommandDefinition<'ChargeCard', { amountMinor: number; currency: string }>;
 * declare function charge(idempotencyKey: string, amountMinor: number, signal: AbortSignal): Promise<void>;
 *
 * const route = handleCommand(chargeCard, async (envelope, context) => {
 *   await charge(envelope.idempotencyKey, envelope.payload.amountMinor, context.signal);
 * });
 * ```
 */
export function handleCommand<TType extends string, TPayload, TInput>(
  command: CommandDefinition<TType, TPayload, TInput>,
  handler: CommandHandler<TType, TPayload>,
): CommandRoute {
  return {
    command: command as unknown as AnyCommand,
    handle: handler as unknown as CommandRoute['handle'],
  };
}
