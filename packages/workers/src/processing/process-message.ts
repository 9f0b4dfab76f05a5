import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { utf8Bytes } from '@checkout/core';
import { type AnyCommand, decodeWith } from '../envelope/codec.js';
import type { Envelope } from '../envelope/envelope.js';
import {
  DeadLetterAnnotationDroppedError,
  HandlerTimeoutError,
  PermanentError,
  PoisonMessageError,
  TransientError,
  WorkersConfigError,
} from '../errors.js';
import type { OutcomeKind, WorkerMetrics } from '../metrics/worker-metrics.js';
import { queueNameOf, safely } from '../metrics/worker-metrics.js';
import { type ProcessSpan, startProcessSpan, type WorkerTracingOptions } from '../tracing/process-span.js';
import { backoffSeconds, MAX_VISIBILITY_SECONDS, type ResolvedBackoff, visibilityLeftSeconds } from './backoff.js';
import { boundedCall } from './call-timeout.js';
import type { CommandRoute } from './command-route.js';
import { DLQ_ATTRIBUTES, deadLetterAttributes } from './dead-letter-attributes.js';
import type { InboundMessage } from './inbound-message.js';
import { isFifoQueue, type QueueResolver } from './queue-resolver.js';
import type { MessageSettledEvent, WorkerErrorEvent } from './worker-error.js';

/** Everything one handler or consumer instance needs to process messages; built once. */
export interface ProcessingSetup {
  readonly client: SQSClient;
  readonly routes: ReadonlyMap<string, CommandRoute>;
  readonly index: ReadonlyMap<string, AnyCommand>;
  readonly resolver: QueueResolver;
  readonly backoff: ResolvedBackoff;
  readonly random: () => number;
  readonly now: () => number;
  readonly isPermanent: (error: unknown) => boolean;
  readonly metrics: WorkerMetrics;
  readonly reportError: (event: WorkerErrorEvent) => void;
  readonly reportSettled: (event: MessageSettledEvent) => void;
  /** Bound of each SQS call (DLQ send, visibility), in milliseconds. */
  readonly requestTimeoutMs: number;
  /** How each delivery's `process` span is parented. */
  readonly tracing: WorkerTracingOptions;
}

/** `ack`: done with (processed or parked in the DLQ); `retry`: leave it to be redelivered. */
export type Verdict = 'ack' | 'retry';

/** Indexes routes by command type. */
export function routeIndex(routes: readonly CommandRoute[]): {
  routes: ReadonlyMap<string, CommandRoute>;
  index: ReadonlyMap<string, AnyCommand>;
} {
  const byType = new Map<string, CommandRoute>();
  for (const route of routes) {
    if (byType.has(route.command.type)) {
      throw new WorkersConfigError('commands', `two handlers for command type ${route.command.type}`);
    }
    byType.set(route.command.type, route);
  }
  return { routes: byType, index: new Map([...byType].map(([type, route]) => [type, route.command])) };
}

/**
 * Resolves or rejects like `work`, or rejects with `limit`'s reason (a {@link HandlerTimeoutError})
 * as soon as `limit` aborts: a handler that never settles cannot hold its caller. The abandoned
 * promise's late rejection is swallowed.
 */
function withinLimit(work: Promise<void> | void, limit: AbortSignal | undefined): Promise<void> {
  const promise = Promise.resolve(work);
  if (limit === undefined) return promise;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(limit.reason instanceof HandlerTimeoutError ? limit.reason : new HandlerTimeoutError(0, 'aborted'));
    };
    if (limit.aborted) return onAbort();
    limit.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        limit.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        limit.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Decodes and handles one delivery, then settles failures: poison and permanent errors go to the
 * DLQ with their reason (then count as handled), transient ones get a backoff visibility timeout.
 * When `limit` aborts before the handler settles, the handler is given up on (its `signal` should
 * abort too): the delivery is settled as a transient failure with a {@link HandlerTimeoutError}.
 */
export async function processMessage(
  setup: ProcessingSetup,
  message: InboundMessage,
  queueUrl: string,
  signal: AbortSignal,
  onSettling?: () => void,
  limit?: AbortSignal,
): Promise<Verdict> {
  const began = performance.now();
  const queue = queueNameOf(queueUrl);
  const ageMs = message.sentTimestamp === undefined ? undefined : Math.max(0, setup.now() - message.sentTimestamp);
  let type: string | undefined;
  let ids: EnvelopeIds = {};
  let span: ProcessSpan | undefined;
  let failure: unknown;
  const record = (outcome: OutcomeKind, poison?: PoisonMessageError) => {
    span?.end(outcome, poison ?? failure);
    const latencyMs = performance.now() - began;
    safely(() =>
      setup.metrics.recordOutcome({
        queue,
        type,
        outcome,
        poison: poison?.kind,
        latencyMs,
        ageMs,
        receiveCount: message.receiveCount,
      }),
    );
    setup.reportSettled({
      queue,
      sqsMessageId: message.sqsMessageId,
      ...ids,
      ...(type === undefined ? {} : { type }),
      outcome,
      ...(poison === undefined ? {} : { poison: poison.kind }),
      latencyMs,
      receiveCount: message.receiveCount,
    });
  };

  let envelope: Envelope;
  try {
    envelope = await decodeWith(message.body, setup.index);
  } catch (error) {
    onSettling?.();
    const poison =
      error instanceof PoisonMessageError
        ? error
        : new PoisonMessageError('schema-invalid', error instanceof Error ? error.message : String(error));
    type = typeOf(message.body);
    ids = idsOf(message.body);
    span = startProcessSpan(setup.tracing, message, queue, undefined);
    const parked = await deadLetter(setup, message, queueUrl, `poison:${poison.kind}`, poison, type, ids);
    if (parked) {
      record('dead-lettered', poison);
      return 'ack';
    }
    await retryLater(setup, message, queueUrl, undefined, type, ids);
    record('retried', poison);
    return 'retry';
  }
  type = envelope.type;
  ids = { messageId: envelope.messageId, orderId: envelope.orderId };
  const route = setup.routes.get(envelope.type);
  // The handler runs inside this delivery's span: commands it enqueues carry the span's context.
  span = startProcessSpan(setup.tracing, message, queue, envelope);
  const inSpan = span;
  try {
    if (route === undefined) throw new PoisonMessageError('unknown-type', `no handler for ${envelope.type}`);
    const context = {
      sqsMessageId: message.sqsMessageId,
      receiveCount: message.receiveCount,
      sentAt: message.sentTimestamp === undefined ? undefined : new Date(message.sentTimestamp),
      messageGroupId: message.messageGroupId,
      signal,
    };
    await withinLimit(
      inSpan.run(async () => route.handle(envelope, context)),
      limit,
    );
    onSettling?.();
    record('processed');
    return 'ack';
  } catch (error) {
    onSettling?.();
    failure = error;
    const timedOut = error instanceof HandlerTimeoutError;
    if (!timedOut && (error instanceof PermanentError || setup.isPermanent(error))) {
      const parked = await deadLetter(setup, message, queueUrl, 'permanent', error, type, ids);
      if (parked) {
        record('dead-lettered');
        return 'ack';
      }
    } else {
      safely(() =>
        setup.reportError({ stage: 'handler', error, sqsMessageId: message.sqsMessageId, type: envelope.type, ...ids }),
      );
    }
    const retryAfter = error instanceof TransientError ? error.retryAfterSeconds : undefined;
    await retryLater(setup, message, queueUrl, retryAfter, type, ids);
    record('retried');
    return 'retry';
  }
}

/** The envelope ids reported with a delivery's events (when its body had them). */
interface EnvelopeIds {
  readonly messageId?: string;
  readonly orderId?: string;
}

/** The `messageId` and `orderId` of a body that failed to decode, when it has them (for logs). */
function idsOf(body: string): EnvelopeIds {
  try {
    const parsed = JSON.parse(body) as { messageId?: unknown; orderId?: unknown } | null;
    const pick = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 256) : undefined);
    const messageId = pick(parsed?.messageId);
    const orderId = pick(parsed?.orderId);
    return { ...(messageId === undefined ? {} : { messageId }), ...(orderId === undefined ? {} : { orderId }) };
  } catch {
    return {};
  }
}

/** The `type` of a body that failed to decode, when it has one (for metrics and DLQ filters). */
function typeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { type?: unknown };
    return typeof parsed?.type === 'string' ? parsed.type.slice(0, 256) : undefined;
  } catch {
    return undefined;
  }
}

/** SQS refused a send for its size (the measure and the service disagree, or limits changed). */
function isTooLarge(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /shorter than|too long|MessageTooLong|BatchRequestTooLong/i.test(text);
}

/**
 * Sends a poison or permanently failed message to the DLQ with its annotation, cut to fit the DLQ's
 * size limit (measured as SQS counts it). The reason is kept whenever it fits beside the body;
 * when even it does not, the body is parked bare and the reason reported to the error hook
 * ({@link DeadLetterAnnotationDroppedError}): either way the message is acknowledged and never
 * handled again. Returns false when it could not be parked (no DLQ, SQS refused): then it retries.
 */
async function deadLetter(
  setup: ProcessingSetup,
  message: InboundMessage,
  queueUrl: string,
  reason: string,
  error: unknown,
  type: string | undefined,
  ids: EnvelopeIds,
): Promise<boolean> {
  const report = (stageError: unknown) =>
    safely(() =>
      setup.reportError({
        stage: 'dead-letter',
        error: stageError,
        sqsMessageId: message.sqsMessageId,
        ...(type ? { type } : {}),
        ...ids,
      }),
    );
  try {
    const dlqUrl = await setup.resolver.deadLetterUrlOf(queueUrl);
    const limitBytes = await setup.resolver.maximumMessageSizeOf(dlqUrl);
    const bodyBytes = utf8Bytes(message.body);
    const annotation = {
      reason,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      receiveCount: message.receiveCount,
      source: queueUrl,
      failedAt: new Date(setup.now()).toISOString(),
    };
    const fifo = isFifoQueue(dlqUrl);
    // A send that times out may still have reached the DLQ: the message is then retried and may
    // be parked twice (at least once), never lost.
    const send = (attributes: Record<string, MessageAttributeValue> | undefined) =>
      boundedCall('SendMessage', setup.requestTimeoutMs, (callOptions) =>
        setup.client.send(
          new SendMessageCommand({
            QueueUrl: dlqUrl,
            MessageBody: message.body,
            ...(attributes === undefined ? {} : { MessageAttributes: attributes }),
            ...(fifo
              ? { MessageGroupId: message.messageGroupId ?? 'default', MessageDeduplicationId: message.sqsMessageId }
              : {}),
          }),
          callOptions,
        ),
      );
    // As annotated as fits; if SQS still refuses the size, the reason alone; then the bare body
    // (SQS accepted it once, so it fits, unless the DLQ's own limit is smaller).
    const fitted = deadLetterAttributes(message.messageAttributes, annotation, limitBytes - bodyBytes);
    const reasonOnly = { [DLQ_ATTRIBUTES.reason]: { DataType: 'String', StringValue: reason } };
    const plans = fitted === undefined ? [undefined] : [fitted, reasonOnly, undefined];
    for (const attributes of plans) {
      try {
        await send(attributes);
      } catch (sendError) {
        if (attributes !== undefined && isTooLarge(sendError)) continue;
        throw sendError;
      }
      if (attributes === undefined) {
        report(new DeadLetterAnnotationDroppedError(reason, annotation.error, bodyBytes, limitBytes));
      }
      return true;
    }
    return false;
  } catch (sendError) {
    report(sendError);
    return false;
  }
}

async function retryLater(
  setup: ProcessingSetup,
  message: InboundMessage,
  queueUrl: string,
  retryAfterSeconds: number | undefined,
  type: string | undefined,
  ids: EnvelopeIds,
): Promise<void> {
  const wanted =
    retryAfterSeconds === undefined
      ? backoffSeconds(message.receiveCount, setup.backoff, setup.random)
      : Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(retryAfterSeconds)));
  // SQS counts the 12 hours from this delivery's receive, not from now.
  const seconds = Math.min(wanted, visibilityLeftSeconds(message.receivedAtMs, setup.now()));
  try {
    await boundedCall('ChangeMessageVisibility', setup.requestTimeoutMs, (callOptions) =>
      setup.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.receiptHandle,
          VisibilityTimeout: seconds,
        }),
        callOptions,
      ),
    );
  } catch (error) {
    safely(() =>
      setup.reportError({
        stage: 'visibility',
        error,
        sqsMessageId: message.sqsMessageId,
        ...(type ? { type } : {}),
        ...ids,
      }),
    );
  }
}
