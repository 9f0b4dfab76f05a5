import type { SQSClient } from '@aws-sdk/client-sqs';
import { WorkersConfigError } from '../errors.js';
import { resolveRequestTimeoutMs } from '../processing/call-timeout.js';
import { type DeadLetterMessage, toDeadLetterMessage } from './dead-letter-message.js';
import { scanQueue } from './dlq-scan.js';

/** Options of {@link listDeadLetters}. */
export interface ListDeadLettersOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Stop after this many messages. Default 100. */
  readonly maxMessages?: number;
  /** How long messages stay hidden while listed (released at the end). Default 30 s. */
  readonly scanVisibilitySeconds?: number;
  /** Long-poll wait per receive; the scan ends at the first empty receive. Default 1 s. */
  readonly waitTimeSeconds?: number;
  /**
   * Bound of each SQS call in milliseconds (a receive gets `waitTimeSeconds` on top). Unanswered by
   * then (a half-open connection), the call is aborted and the list rejects with a
   * `RequestTimeoutError` naming the operation; messages already received are handed back.
   * Default 30,000, at most 300,000.
   */
  readonly requestTimeoutMs?: number;
}

/**
 * Lists (and lets you inspect) the messages in a DLQ with the reason each is there. Messages are
 * received, read and handed back (visibility 0): listing moves and deletes nothing, though each
 * listed message's receive count grows by one, as with any SQS peek. Every call is bounded by
 * `requestTimeoutMs` (`RequestTimeoutError`).
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { listDeadLetters } from '@checkout/workers';
 *
 * const client = new SQSClient({});
 * declare const dlqUrl: string;
 *
 * for (const message of await listDeadLetters({ client, queueUrl: dlqUrl, maxMessages: 50 })) {
 *   console.log(message.type, message.reason, message.error);
 * }
 * ```
 */
export async function listDeadLetters(options: ListDeadLettersOptions): Promise<DeadLetterMessage[]> {
  const maxMessages = options.maxMessages ?? 100;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new WorkersConfigError('maxMessages', 'must be >= 1');
  const timeoutMs = resolveRequestTimeoutMs(options.requestTimeoutMs);
  const found: DeadLetterMessage[] = [];
  await scanQueue(
    options.client,
    options.queueUrl,
    {
      visibilitySeconds: options.scanVisibilitySeconds ?? 30,
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      requestTimeoutMs: timeoutMs,
    },
    async (message) => {
      const parsed = toDeadLetterMessage(message);
      if (parsed !== undefined) found.push(parsed);
      return found.length >= maxMessages ? 'stop' : 'keep';
    },
  );
  return found;
}
