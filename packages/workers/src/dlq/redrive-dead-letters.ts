import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { TokenBucket } from '../consumer/token-bucket.js';
import { RequestTimeoutError, WorkersConfigError } from '../errors.js';
import { boundedCall, resolveRequestTimeoutMs } from '../processing/call-timeout.js';
import { originalAttributes } from '../processing/dead-letter-attributes.js';
import { isFifoQueue } from '../processing/queue-resolver.js';
import { type DeadLetterMessage, toDeadLetterMessage } from './dead-letter-message.js';
import { scanQueue } from './dlq-scan.js';

/** Which DLQ messages to redrive; all given criteria must hold. */
export interface RedriveFilter {
  /** Envelope command types to include. */
  readonly types?: readonly string[];
  /** Reasons to include; `poison` matches every `poison:<kind>`. */
  readonly reasons?: readonly string[];
  /** Only messages dead-lettered at least this long ago. */
  readonly minAgeMs?: number;
  /** Only messages dead-lettered at most this long ago. */
  readonly maxAgeMs?: number;
}

/** Options of {@link redriveDeadLetters}. */
export interface RedriveOptions {
  readonly client: SQSClient;
  readonly deadLetterQueueUrl: string;
  /** Where to send messages back to (usually the source queue). */
  readonly targetQueueUrl: string;
  readonly filter?: RedriveFilter;
  /** Count what would move; change nothing (messages are only peeked and handed back). */
  readonly dryRun?: boolean;
  /** Move (or, dry, match) at most this many. Default unlimited. */
  readonly maxMessages?: number;
  /** Moves per second at most. Default unlimited. */
  readonly ratePerSecond?: number;
  /**
   * `auto` (default): an unfiltered, unlimited, real redrive asks SQS for `StartMessageMoveTask`
   * and falls back to receive/send/delete when the endpoint does not support it. `never`: always
   * receive/send/delete.
   */
  readonly moveTask?: 'auto' | 'never';
  /** How long scanned messages stay hidden during the run (kept ones are released at the end). Default 300 s. */
  readonly scanVisibilitySeconds?: number;
  /** Long-poll wait per receive; the scan ends at the first empty receive. Default 1 s. */
  readonly waitTimeSeconds?: number;
  /**
   * Bound of each SQS call in milliseconds (a receive gets `waitTimeSeconds` on top). Unanswered by
   * then (a half-open connection), the call is aborted and the redrive stops and rejects with a
   * `RequestTimeoutError` naming the operation. A send that timed out is never followed by a
   * delete (the message stays in the DLQ; it may also have reached the target); a delete that
   * timed out leaves the message in both queues at worst, never in neither. Messages not moved are
   * handed back. `scanVisibilitySeconds * 1000` must exceed twice this. Default 30,000, at most 300,000.
   */
  readonly requestTimeoutMs?: number;
}

/** Per-message outcome of a redrive. */
export type RedriveAction = 'moved' | 'would-move' | 'skipped' | 'failed' | 'duplicated';

/** What a redrive did. `scanned = matched + skipped`; `matched = moved + failed + duplicated` (or would-move when dry). */
export interface RedriveResult {
  readonly mode: 'move-task' | 'receive-send-delete';
  readonly dryRun: boolean;
  readonly scanned: number;
  readonly matched: number;
  /** Sent to the target and deleted from the DLQ. */
  readonly moved: number;
  /** Did not match the filter; left in the DLQ. */
  readonly skipped: number;
  /**
   * Not moved: the send failed (a send that timed out may also have reached the target), or too
   * little of its scan hold was left for a send and a delete; left in the DLQ, never deleted.
   */
  readonly failed: number;
  /** Sent, but the DLQ delete failed: the message is in both queues (rerun removes the DLQ copy only by hand). */
  readonly duplicated: number;
  /** `StartMessageMoveTask` handle, in `move-task` mode (the task runs asynchronously in SQS). */
  readonly taskHandle?: string;
  /** One entry per scanned message (receive/send/delete mode). */
  readonly messages: ReadonlyArray<{
    readonly sqsMessageId: string;
    readonly type: string | undefined;
    readonly reason: string;
    readonly action: RedriveAction;
  }>;
}

const UNSUPPORTED = new Set(['InvalidAction', 'UnsupportedOperation', 'UnknownOperationException', 'NotImplemented']);

function isUnsupported(error: unknown): boolean {
  const named = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    UNSUPPORTED.has(named?.name ?? '') || UNSUPPORTED.has(named?.Code ?? '') || named?.$metadata?.httpStatusCode === 501
  );
}

/** True when `message` passes every criterion of `filter`. */
export function matchesFilter(message: DeadLetterMessage, filter: RedriveFilter | undefined, now: number): boolean {
  if (filter === undefined) return true;
  if (filter.types !== undefined && (message.type === undefined || !filter.types.includes(message.type))) return false;
  if (
    filter.reasons !== undefined &&
    !filter.reasons.some((reason) => message.reason === reason || message.reason.startsWith(`${reason}:`))
  ) {
    return false;
  }
  const age = message.deadLetteredAt === undefined ? undefined : now - message.deadLetteredAt.getTime();
  if (filter.minAgeMs !== undefined && (age === undefined || age < filter.minAgeMs)) return false;
  if (filter.maxAgeMs !== undefined && (age === undefined || age > filter.maxAgeMs)) return false;
  return true;
}

async function arnOf(client: SQSClient, queueUrl: string, timeoutMs: number): Promise<string> {
  const { Attributes } = await boundedCall('GetQueueAttributes', timeoutMs, (callOptions) =>
    client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), callOptions),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new WorkersConfigError('queueUrl', `${queueUrl} has no QueueArn`);
  return arn;
}

const hasFilter = (filter: RedriveFilter | undefined) =>
  filter !== undefined && Object.values(filter).some((value) => value !== undefined);

/**
 * Moves messages from a DLQ back to a queue. Unfiltered real redrives use SQS's own
 * `StartMessageMoveTask` where the endpoint supports it. Otherwise each message is received once
 * per run, sent to the target FIRST and only then deleted from the DLQ, so a crash in between
 * duplicates a message (handlers are idempotent) and never loses one; the counts add up:
 * DLQ before = DLQ after + moved. Original message attributes are restored, the workers' DLQ
 * annotations dropped; FIFO targets keep the `MessageGroupId`.
 *
 * Every SQS call is bounded by `requestTimeoutMs`: a timeout stops the run and rejects with a
 * `RequestTimeoutError`. What moved before stays moved; a send that timed out is never followed
 * by a delete, so nothing is lost; rerunning is safe (moved messages are no longer in the DLQ).
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { redriveDeadLetters } from '@checkout/workers';
 *
 * const client = new SQSClient({});
 * declare const dlqUrl: string;
 * declare const queueUrl: string;
 *
 * const result = await redriveDeadLetters({
 *   client,
 *   deadLetterQueueUrl: dlqUrl,
 *   targetQueueUrl: queueUrl,
 *   filter: { reasons: ['poison:unsupported-version'] },
 *   requestTimeoutMs: 10_000,
 * });
 * console.log(`${result.moved} moved`);
 * ```
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const dryRun = options.dryRun === true;
  const { client, deadLetterQueueUrl, targetQueueUrl } = options;
  if (options.maxMessages !== undefined && (!Number.isInteger(options.maxMessages) || options.maxMessages < 1)) {
    throw new WorkersConfigError('maxMessages', 'must be an integer >= 1');
  }
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) {
    throw new WorkersConfigError('ratePerSecond', 'must be > 0');
  }
  if (deadLetterQueueUrl === targetQueueUrl) throw new WorkersConfigError('targetQueueUrl', 'must differ from the DLQ');
  const timeoutMs = resolveRequestTimeoutMs(options.requestTimeoutMs);
  const scanVisibilitySeconds = options.scanVisibilitySeconds ?? 300;
  // A message is sent and deleted within its hold: a stale receipt handle's delete may be
  // accepted without deleting anything.
  if (!(scanVisibilitySeconds * 1000 > 2 * timeoutMs) || scanVisibilitySeconds > 43_200) {
    throw new WorkersConfigError(
      'scanVisibilitySeconds',
      `must exceed twice requestTimeoutMs in seconds (${(2 * timeoutMs) / 1000}) and be at most 43200`,
    );
  }

  if (!dryRun && options.moveTask !== 'never' && !hasFilter(options.filter) && options.maxMessages === undefined) {
    try {
      const [sourceArn, destinationArn] = await Promise.all([
        arnOf(client, deadLetterQueueUrl, timeoutMs),
        arnOf(client, targetQueueUrl, timeoutMs),
      ]);
      const { Attributes } = await boundedCall('GetQueueAttributes', timeoutMs, (callOptions) =>
        client.send(
          new GetQueueAttributesCommand({
            QueueUrl: deadLetterQueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
          callOptions,
        ),
      );
      // A timeout here leaves it unknown whether SQS started the task: SQS refuses a second task
      // on the same DLQ while one runs, so a rerun cannot move anything twice.
      const { TaskHandle } = await boundedCall(
        'StartMessageMoveTask',
        timeoutMs,
        (callOptions) =>
          client.send(
            new StartMessageMoveTaskCommand({
              SourceArn: sourceArn,
              DestinationArn: destinationArn,
              ...(options.ratePerSecond === undefined
                ? {}
                : { MaxNumberOfMessagesPerSecond: Math.ceil(options.ratePerSecond) }),
            }),
            callOptions,
          ),
        () => 'the move task may or may not have started: see ListMessageMoveTasks before a rerun',
      );
      const approximate = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
      return {
        mode: 'move-task',
        dryRun,
        scanned: approximate,
        matched: approximate,
        moved: approximate,
        skipped: 0,
        failed: 0,
        duplicated: 0,
        ...(TaskHandle === undefined ? {} : { taskHandle: TaskHandle }),
        messages: [],
      };
    } catch (error) {
      if (!isUnsupported(error)) throw error;
    }
  }

  const targetFifo = isFifoQueue(targetQueueUrl);
  const bucket = options.ratePerSecond === undefined ? undefined : new TokenBucket(options.ratePerSecond, 1);
  const messages: Array<RedriveResult['messages'][number]> = [];
  const counts = { matched: 0, moved: 0, skipped: 0, failed: 0, duplicated: 0 };
  const now = Date.now();
  await scanQueue(
    client,
    deadLetterQueueUrl,
    {
      visibilitySeconds: scanVisibilitySeconds,
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      requestTimeoutMs: timeoutMs,
    },
    async (raw, heldUntilMs) => {
      if (options.maxMessages !== undefined && counts.matched >= options.maxMessages) return 'stop';
      const message = toDeadLetterMessage(raw);
      if (message === undefined) return 'keep';
      const note = (action: RedriveAction) =>
        messages.push({ sqsMessageId: message.sqsMessageId, type: message.type, reason: message.reason, action });
      if (!matchesFilter(message, options.filter, now)) {
        counts.skipped += 1;
        note('skipped');
        return 'keep';
      }
      counts.matched += 1;
      if (dryRun) {
        note('would-move');
        return 'keep';
      }
      if (bucket !== undefined) await bucket.take();
      // Not enough of its hold left for a send and a delete: leave it untouched rather than risk a
      // delete with a receipt handle SQS may no longer honour.
      if (Date.now() + 2 * timeoutMs >= heldUntilMs) {
        counts.failed += 1;
        note('failed');
        return 'keep';
      }
      const sofar = () => `redrive stopped after moving ${counts.moved}`;
      try {
        await boundedCall(
          'SendMessage',
          timeoutMs,
          (callOptions) =>
            client.send(
              new SendMessageCommand({
                QueueUrl: targetQueueUrl,
                MessageBody: message.body,
                MessageAttributes: originalAttributes(message.messageAttributes),
                ...(targetFifo
                  ? {
                      MessageGroupId: message.messageGroupId ?? 'default',
                      MessageDeduplicationId: message.sqsMessageId,
                    }
                  : {}),
              }),
              callOptions,
            ),
          () =>
            `${sofar()}; message ${message.sqsMessageId} was not deleted from the DLQ (it may also have reached the target)`,
        );
      } catch (error) {
        counts.failed += 1;
        note('failed');
        // A timeout (the endpoint stalls): no delete, stop the run; the message is handed back.
        if (error instanceof RequestTimeoutError) throw error;
        return 'keep';
      }
      try {
        await boundedCall(
          'DeleteMessage',
          timeoutMs,
          (callOptions) =>
            client.send(
              new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: raw.ReceiptHandle }),
              callOptions,
            ),
          () => `${sofar()}; message ${message.sqsMessageId} was sent to the target and may be in both queues`,
        );
      } catch (error) {
        counts.duplicated += 1;
        note('duplicated');
        if (error instanceof RequestTimeoutError) throw error;
        return 'keep';
      }
      counts.moved += 1;
      note('moved');
      return 'taken';
    },
  );
  return {
    mode: 'receive-send-delete',
    dryRun,
    scanned: counts.matched + counts.skipped,
    ...counts,
    messages,
  };
}
