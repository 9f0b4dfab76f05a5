import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ConsumerStateError, HandlerTimeoutError, ReceiveTimeoutError, WorkersConfigError } from '../errors.js';
import { createEmfMetrics } from '../metrics/emf-metrics.js';
import { getQueueSnapshot } from '../metrics/queue-snapshot.js';
import { noMetrics, safely, type WorkerMetrics } from '../metrics/worker-metrics.js';
import { MAX_VISIBILITY_SECONDS, visibilityLeftSeconds } from '../processing/backoff.js';
import { boundedCall } from '../processing/call-timeout.js';
import { type InboundMessage, numericAttribute } from '../processing/inbound-message.js';
import { processMessage } from '../processing/process-message.js';
import { createProcessingSetup, type ProcessingOptions } from '../processing/processing-options.js';
import { isFifoQueue } from '../processing/queue-resolver.js';
import { DeleteBatcher } from './delete-batcher.js';
import { Slots } from './slots.js';
import { TokenBucket } from './token-bucket.js';

/** Options of {@link createSqsConsumer}. */
export interface SqsConsumerOptions extends ProcessingOptions {
  /** Queue to consume (standard or FIFO). */
  readonly queueUrl: string;
  /** SQS client. Default `new SQSClient({})`. */
  readonly client?: SQSClient;
  /** Handlers running at once. Default 10. */
  readonly concurrency?: number;
  /** Messages per `ReceiveMessage` (1-10). Default 10. */
  readonly batchSize?: number;
  /** Long-poll wait (0-20 s). Default 20. */
  readonly waitTimeSeconds?: number;
  /**
   * A `ReceiveMessage` call unanswered after this many milliseconds is aborted (a half-open
   * connection would otherwise stall its poller silently), reported as a `ReceiveTimeoutError`
   * (stage `receive`), and the poller tries again. Must exceed `waitTimeSeconds * 1000`; at most
   * 300,000. Default `waitTimeSeconds * 1000 + 10_000`.
   */
  readonly receiveTimeoutMs?: number;
  /**
   * Time limit of one handler run, in milliseconds (like sqs-consumer's `handleMessageTimeout`).
   * Default 900,000 (15 min, Lambda's own maximum), at most 43,200,000 (SQS's 12 hours). When it
   * passes, the handler's `signal` aborts (reason: a `HandlerTimeoutError`), its worker slot is
   * freed at once, the heartbeat stops renewing the message, `observer.error` gets the
   * `HandlerTimeoutError` (stage `handler`), and the message is released for retry: its
   * visibility is set to the backoff, like any transient failure (the redrive policy still counts
   * it). It is never deleted, even if the handler settles later.
   */
  readonly handlerTimeoutMs?: number;
  /** Visibility timeout asked for on receive and renewed by the heartbeat, in whole seconds (1-43,200). Default 30. */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Renew visibility of received, unfinished messages. Default on, every
   * `visibilityTimeoutSeconds * 1000 / 3` ms; `intervalMs` must be above 0 and below the
   * visibility timeout.
   */
  readonly heartbeat?: boolean | { readonly intervalMs: number };
  /**
   * Token bucket on handler starts (protects Postgres and the payment provider). Default none.
   * `burst` (tokens saved up) defaults to a tenth of a second's worth, so a late timer on a busy
   * event loop does not cost throughput; in any window of t seconds at most `burst + perSecond * t`
   * handlers start.
   */
  readonly rateLimit?: { readonly perSecond: number; readonly burst?: number };
  /**
   * Received messages whose handler has not settled yet, at most (waiting for a worker, a token or
   * their handler; a settled one waiting for its acknowledgement no longer counts). Default
   * `concurrency + batchSize`.
   */
  readonly maxInFlight?: number;
  /** `ReceiveMessage` calls in flight at once. Default `ceil(maxInFlight / batchSize)`. */
  readonly pollers?: number;
  /** Metrics sink; default EMF to stdout. `false` for none. */
  readonly metrics?: WorkerMetrics | false;
  /** Metrics flush period in milliseconds (above 0, at most 86,400,000: a day). Default 60,000. */
  readonly metricsIntervalMs?: number;
  /**
   * Queue depth snapshot period in milliseconds (`GetQueueAttributes`, at most 86,400,000); 0
   * disables. Default 60,000.
   */
  readonly snapshotIntervalMs?: number;
}

/** What `stop()` reports. */
export interface StopResult {
  /** Every received message was finished (deleted, parked or set to retry) before the timeout. */
  readonly drained: boolean;
  /** Messages received but not started (or brought by the last long polls), handed back (visibility 0). */
  readonly released: number;
  /** Handlers still running at the timeout: signalled to abort, never deleted, redelivered later. */
  readonly abandoned: number;
}

/** Counters of a consumer's life so far. */
export interface ConsumerStats {
  readonly receiveCalls: number;
  readonly received: number;
  readonly acknowledged: number;
  readonly retried: number;
  /** Handlers running now. */
  readonly active: number;
  /** Received, not yet finished. */
  readonly inFlight: number;
}

/** A long-poll SQS consumer for containers (ECS, EKS, EC2). */
export interface SqsConsumer {
  /** Starts the pollers. Throws `ConsumerStateError` if already started. */
  start(): void;
  /**
   * Stops receiving: no new `ReceiveMessage` call starts, and long polls already in flight are
   * awaited (at most `waitTimeSeconds`), their messages handed straight back. Aborting them
   * instead would let the server hand messages to a closed connection, hiding them for a whole
   * visibility timeout. Received messages then get `timeoutMs` (default 30,000) to finish; after
   * that unstarted ones are handed back and running ones abandoned (never deleted). Idempotent.
   * A `timeoutMs` that is negative, NaN or above 2,147,483,647 (what a Node timer can wait; so
   * not `Infinity`) rejects with `WorkersConfigError` and stops nothing. Errors the consumer
   * survives go to the `observer.error` option.
   */
  stop(options?: { readonly timeoutMs?: number }): Promise<StopResult>;
  /** Counters, for health checks and tests. */
  stats(): ConsumerStats;
}

interface Tracked {
  readonly message: InboundMessage;
  visibleAtMs: number;
  settling: boolean;
}

const SYSTEM_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'MessageGroupId', 'AWSTraceHeader'] as const;

/** Longest metrics / snapshot period (a day; Node timers cannot wait past 2^31 - 1 ms and fire at once instead). */
const MAX_INTERVAL_MS = 86_400_000;

/**
 * How long an acknowledgement waits for others to share its `DeleteMessageBatch` (a full batch of
 * 10 goes at once). The handler's worker is already free by then; the message stays in flight (and
 * would come back after a crash, as any unacknowledged message does) for at most this long. FIFO
 * queues use {@link FIFO_DELETE_BATCH_WINDOW_MS}: SQS holds a group's next message until the one
 * before it is deleted, so there the window would delay the group.
 */
const DELETE_BATCH_WINDOW_MS = 50;
const FIFO_DELETE_BATCH_WINDOW_MS = 2;

/** Longest `stop()` timeout: what a Node timer can wait (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorkersConfigError(name, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function toInbound(message: Message, receivedAtMs: number): InboundMessage | undefined {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) return undefined;
  return {
    sqsMessageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    receiveCount: numericAttribute(message.Attributes?.ApproximateReceiveCount) ?? 1,
    sentTimestamp: numericAttribute(message.Attributes?.SentTimestamp),
    messageGroupId: message.Attributes?.MessageGroupId,
    messageAttributes: message.MessageAttributes ?? {},
    awsTraceHeader: message.Attributes?.AWSTraceHeader,
    receivedAtMs,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Creates a long-poll consumer: several receives in flight, handlers up to `concurrency`, a token
 * bucket on handler starts, a visibility heartbeat for long work, FIFO groups processed in order,
 * acknowledgements batched, and a graceful `stop()`.
 *
 * @throws WorkersConfigError naming the first bad option (`handlerTimeoutMs`, `heartbeat.intervalMs`, ...).
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { createSqsConsumer, defineCommand, handleCommand } from '@checkout/workers';
 * import { z } from 'zod';
 *
 * const reserveInventory = defineCommand({
 *   type: 'ReserveInventory',
 *   version: 1,
 *   payload: z.object({ lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })) }),
 * });
 * declare const queueUrl: string;
 * declare function reserve(lines: readonly { sku: string; quantity: number }[]): Promise<void>;
 *
 * const consumer = createSqsConsumer({
 *   client: new SQSClient({}),
 *   queueUrl,
 *   concurrency: 50,
 *   handlerTimeoutMs: 120_000,
 *   observer: { error: (event) => console.error('worker error', event.stage, event.error) },
 *   commands: [handleCommand(reserveInventory, (envelope) => reserve(envelope.payload.lines))],
 * });
 * consumer.start();
 * process.once('SIGTERM', () => void consumer.stop({ timeoutMs: 25_000 }));
 * ```
 */
export function createSqsConsumer(options: SqsConsumerOptions): SqsConsumer {
  const queueUrl = options.queueUrl;
  if (typeof queueUrl !== 'string' || queueUrl.length === 0) throw new WorkersConfigError('queueUrl', 'required');
  if (!Array.isArray(options.commands) || options.commands.length === 0) {
    throw new WorkersConfigError('commands', 'give at least one handleCommand(...) route');
  }
  const concurrency = integer('concurrency', options.concurrency ?? 10, 1, 10_000);
  const batchSize = integer('batchSize', options.batchSize ?? 10, 1, 10);
  const waitTimeSeconds = integer('waitTimeSeconds', options.waitTimeSeconds ?? 20, 0, 20);
  const receiveTimeoutMs = options.receiveTimeoutMs ?? waitTimeSeconds * 1000 + 10_000;
  if (
    typeof receiveTimeoutMs !== 'number' ||
    !(receiveTimeoutMs > waitTimeSeconds * 1000) ||
    receiveTimeoutMs > 300_000
  ) {
    throw new WorkersConfigError(
      'receiveTimeoutMs',
      `must be above waitTimeSeconds * 1000 (${waitTimeSeconds * 1000}) and at most 300000, got ${String(receiveTimeoutMs)}`,
    );
  }
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 900_000;
  if (
    typeof handlerTimeoutMs !== 'number' ||
    !(handlerTimeoutMs > 0) ||
    handlerTimeoutMs > MAX_VISIBILITY_SECONDS * 1000
  ) {
    throw new WorkersConfigError(
      'handlerTimeoutMs',
      `must be > 0 and at most ${MAX_VISIBILITY_SECONDS * 1000}, got ${String(handlerTimeoutMs)}`,
    );
  }
  const visibilityTimeout = integer('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds ?? 30, 1, 43_200);
  const maxInFlight = integer('maxInFlight', options.maxInFlight ?? concurrency + batchSize, 1, 100_000);
  const pollers = integer('pollers', options.pollers ?? Math.ceil(maxInFlight / batchSize), 1, 1_000);
  const heartbeatMs =
    options.heartbeat === false
      ? undefined
      : typeof options.heartbeat === 'object' && options.heartbeat !== null
        ? options.heartbeat.intervalMs
        : (visibilityTimeout * 1000) / 3;
  if (
    heartbeatMs !== undefined &&
    (typeof heartbeatMs !== 'number' || !(heartbeatMs > 0) || heartbeatMs >= visibilityTimeout * 1000)
  ) {
    throw new WorkersConfigError(
      'heartbeat.intervalMs',
      `must be > 0 and below visibilityTimeoutSeconds * 1000 (${visibilityTimeout * 1000}), got ${String(heartbeatMs)}`,
    );
  }
  const rate = options.rateLimit;
  if (rate !== undefined && !(rate.perSecond > 0 && Number.isFinite(rate.perSecond))) {
    throw new WorkersConfigError('rateLimit.perSecond', 'must be a finite number > 0');
  }
  if (rate?.burst !== undefined) integer('rateLimit.burst', rate.burst, 1, 1_000_000);
  const metricsMs = options.metricsIntervalMs ?? 60_000;
  if (typeof metricsMs !== 'number' || !(metricsMs > 0 && metricsMs <= MAX_INTERVAL_MS)) {
    throw new WorkersConfigError('metricsIntervalMs', `must be > 0 and at most ${MAX_INTERVAL_MS}`);
  }
  const snapshotMs = options.snapshotIntervalMs ?? 60_000;
  if (typeof snapshotMs !== 'number' || !(snapshotMs >= 0 && snapshotMs <= MAX_INTERVAL_MS)) {
    throw new WorkersConfigError('snapshotIntervalMs', `must be 0 (off) or at most ${MAX_INTERVAL_MS}`);
  }
  const client = options.client ?? new SQSClient({});
  const metrics = options.metrics === false ? noMetrics : (options.metrics ?? createEmfMetrics());
  const fifo = isFifoQueue(queueUrl);

  const setup = createProcessingSetup(client, options, metrics);
  const report = setup.reportError;

  const capacity = new Slots(maxInFlight);
  const workers = new Slots(concurrency);
  const bucket =
    rate === undefined
      ? undefined
      : new TokenBucket(rate.perSecond, rate.burst ?? Math.max(1, Math.ceil(rate.perSecond / 10)));
  const requestTimeoutMs = setup.requestTimeoutMs;
  const deletes = new DeleteBatcher(
    client,
    queueUrl,
    fifo ? FIFO_DELETE_BATCH_WINDOW_MS : DELETE_BATCH_WINDOW_MS,
    (error) => report({ stage: 'delete', error }),
    requestTimeoutMs,
  );
  const tracked = new Map<string, Tracked>();
  const tasks = new Set<Promise<void>>();
  const releases = new Set<Promise<void>>();
  const receiveAbort = new AbortController();
  const hardStop = new AbortController();
  const counters = { receiveCalls: 0, received: 0, acknowledged: 0, retried: 0, released: 0, active: 0 };
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let closed = false;
  let stopping: Promise<StopResult> | undefined;
  let pollLoops: Promise<void>[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];

  const releaseVisibility = async (messages: readonly InboundMessage[]) => {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        await boundedCall('ChangeMessageVisibilityBatch', requestTimeoutMs, (callOptions) =>
          client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.receiptHandle,
                VisibilityTimeout: 0,
              })),
            }),
            callOptions,
          ),
        );
      } catch (error) {
        report({ stage: 'visibility', error });
      }
    }
  };

  // A tick racing a handler's own failure settlement could overwrite its backoff with a full
  // visibility timeout; `settling` (set before any DLQ or visibility call) keeps that window to one
  // request in flight, and the worst case is a later retry, never an earlier one.
  const heartbeat = async () => {
    if (heartbeatMs === undefined) return;
    const now = setup.now();
    // SQS refuses to extend a delivery past 12 h from its receive: renew up to that, then stop.
    const due = [...tracked.values()].filter(
      (entry) =>
        !entry.settling &&
        entry.visibleAtMs - now < (visibilityTimeout * 1000) / 2 &&
        visibilityLeftSeconds(entry.message.receivedAtMs, now) > 0,
    );
    for (let i = 0; i < due.length; i += 10) {
      const chunk = due.slice(i, i + 10);
      const sentAt = setup.now();
      const seconds = chunk.map((entry) =>
        Math.min(visibilityTimeout, visibilityLeftSeconds(entry.message.receivedAtMs, sentAt)),
      );
      try {
        const result = await boundedCall('ChangeMessageVisibilityBatch', requestTimeoutMs, (callOptions) =>
          client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((entry, index) => ({
                Id: String(index),
                ReceiptHandle: entry.message.receiptHandle,
                VisibilityTimeout: seconds[index] ?? 0,
              })),
            }),
            callOptions,
          ),
        );
        const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
        chunk.forEach((entry, index) => {
          if (!failed.has(String(index))) entry.visibleAtMs = sentAt + (seconds[index] ?? 0) * 1000;
        });
        for (const entry of result.Failed ?? []) {
          report({
            stage: 'heartbeat',
            error: new Error(`ChangeMessageVisibilityBatch: ${entry.Code} ${entry.Message}`),
          });
        }
      } catch (error) {
        report({ stage: 'heartbeat', error });
      }
    }
  };

  /**
   * Runs one message once it has a worker and a token (none are granted after a hard stop).
   * `settled` is called once the handler has given its verdict, before the acknowledgement.
   */
  const runOne = async (message: InboundMessage, settled: () => void): Promise<'done' | 'failed' | 'not-started'> => {
    const entry = tracked.get(message.receiptHandle);
    const granted = (await workers.acquire(1, hardStop.signal)) === 1;
    if (!granted || (bucket !== undefined && !(await bucket.take(hardStop.signal)))) {
      if (granted) workers.release(1);
      return 'not-started';
    }
    counters.active += 1;
    // The handler's signal aborts on a hard stop (handler abandoned, message left alone) or at the
    // time limit (handler given up on: slot freed, message released for retry).
    const handlerAbort = new AbortController();
    const limit = new AbortController();
    const limitMs = handlerTimeoutMs;
    const limitTimer = setTimeout(() => {
      const reason = new HandlerTimeoutError(limitMs, 'handlerTimeoutMs');
      handlerAbort.abort(reason);
      limit.abort(reason);
    }, limitMs);
    const onHardStop = () => {
      clearTimeout(limitTimer);
      handlerAbort.abort(hardStop.signal.reason);
    };
    hardStop.signal.addEventListener('abort', onHardStop, { once: true });
    let verdict: Awaited<ReturnType<typeof processMessage>>;
    try {
      verdict = await processMessage(
        setup,
        message,
        queueUrl,
        handlerAbort.signal,
        () => {
          if (entry !== undefined) entry.settling = true;
        },
        limit.signal,
      );
    } finally {
      clearTimeout(limitTimer);
      hardStop.signal.removeEventListener('abort', onHardStop);
      counters.active -= 1;
      // The worker is free once the handler is: the acknowledgement below waits for its batch
      // without holding a slot another message could use.
      workers.release(1);
    }
    settled();
    if (verdict === 'retry') {
      counters.retried += 1;
      return 'failed';
    }
    if (!closed && (await deletes.delete(message.receiptHandle))) counters.acknowledged += 1;
    return 'done';
  };

  const dispatch = (messages: readonly InboundMessage[]) => {
    const groups = new Map<string, InboundMessage[]>();
    messages.forEach((message, index) => {
      const key = fifo ? (message.messageGroupId ?? '') : String(index);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [message]);
      else group.push(message);
    });
    for (const group of groups.values()) {
      const task = (async () => {
        let position = 0;
        try {
          for (; position < group.length; position += 1) {
            const message = group[position] as InboundMessage;
            // Its receive slot is free once the handler is: a message whose acknowledgement waits
            // for its batch (up to 50 ms) does not keep the next receive from starting.
            const result = await runOne(message, () => capacity.release(1));
            if (result === 'not-started') break;
            tracked.delete(message.receiptHandle);
            if (result === 'failed') {
              position += 1;
              break;
            }
          }
        } finally {
          // FIFO: the rest of a failed group goes back untouched; the failed message keeps the
          // group locked in SQS until it is visible again, so order holds. Also used on hard stop.
          const rest = group.slice(position);
          for (const message of rest) tracked.delete(message.receiptHandle);
          if (rest.length > 0) {
            if (hardStop.signal.aborted) counters.released += rest.length;
            if (!closed) {
              const release = releaseVisibility(rest);
              releases.add(release);
              await release;
              releases.delete(release);
            }
            capacity.release(rest.length);
          }
        }
      })();
      tasks.add(task);
      void task.finally(() => tasks.delete(task));
    }
  };

  const poll = async () => {
    let failures = 0;
    while (state === 'running') {
      // Full batches only: a receive for 1-2 messages costs the endpoint (and us) nearly as much
      // as one for 10.
      const want = await capacity.acquire(batchSize, receiveAbort.signal, batchSize);
      if (want === 0) break;
      if (state !== 'running') {
        capacity.release(want);
        break;
      }
      let received: InboundMessage[];
      // Taken before the call: a lower bound of the receive time, from which SQS counts 12 hours.
      const receivedAtMs = setup.now();
      const receiveLimit = new AbortController();
      const receiveTimer = setTimeout(() => receiveLimit.abort(), receiveTimeoutMs);
      try {
        counters.receiveCalls += 1;
        const result = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: want,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeout,
            MessageSystemAttributeNames: [...SYSTEM_ATTRIBUTES],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: receiveLimit.signal },
        );
        received = (result.Messages ?? [])
          .map((message) => toInbound(message, receivedAtMs))
          .filter((m): m is InboundMessage => m !== undefined);
        failures = 0;
      } catch (caught) {
        capacity.release(want);
        if (state !== 'running') break;
        failures += 1;
        const error = receiveLimit.signal.aborted
          ? new ReceiveTimeoutError(receiveTimeoutMs, { cause: caught })
          : caught;
        report({ stage: 'receive', error });
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures - 1, 6)), receiveAbort.signal);
        continue;
      } finally {
        clearTimeout(receiveTimer);
      }
      capacity.release(want - received.length);
      if (received.length === 0) continue;
      counters.received += received.length;
      const now = setup.now();
      for (const message of received) {
        tracked.set(message.receiptHandle, { message, visibleAtMs: now + visibilityTimeout * 1000, settling: false });
      }
      if (state !== 'running') {
        // The response raced stop(): hand the messages back instead of starting them.
        counters.released += received.length;
        for (const message of received) tracked.delete(message.receiptHandle);
        await releaseVisibility(received);
        capacity.release(received.length);
        break;
      }
      dispatch(received);
    }
  };

  const every = (intervalMs: number, action: () => Promise<void>) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void action().finally(() => {
        busy = false;
      });
    }, intervalMs);
    timer.unref();
    timers.push(timer);
  };

  return {
    start() {
      if (state !== 'new') throw new ConsumerStateError(`start() on a consumer that is ${state}`);
      state = 'running';
      if (heartbeatMs !== undefined) every(heartbeatMs, heartbeat);
      every(metricsMs, async () => {
        try {
          await metrics.flush();
        } catch (error) {
          report({ stage: 'metrics', error });
        }
      });
      if (snapshotMs > 0) {
        every(snapshotMs, async () => {
          try {
            const snapshot = await getQueueSnapshot(client, queueUrl, { requestTimeoutMs });
            safely(() => metrics.recordQueueSnapshot(snapshot));
          } catch (error) {
            report({ stage: 'snapshot', error });
          }
        });
      }
      pollLoops = Array.from({ length: pollers }, () => poll());
    },

    stop(stopOptions = {}) {
      const timeoutMs = stopOptions.timeoutMs ?? 30_000;
      if (!(timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS)) {
        return Promise.reject(
          new WorkersConfigError('timeoutMs', `must be a number of milliseconds from 0 to ${MAX_TIMER_MS}`),
        );
      }
      if (stopping !== undefined) return stopping;
      stopping = (async (): Promise<StopResult> => {
        const wasRunning = state === 'running';
        state = 'stopping';
        receiveAbort.abort();
        await Promise.all(pollLoops);
        let drained = true;
        let released = 0;
        let abandoned = 0;
        if (wasRunning && tasks.size > 0) {
          const allDone = Promise.all([...tasks]).then(() => true);
          const timeout = new AbortController();
          drained = await Promise.race([allDone, sleep(timeoutMs, timeout.signal).then(() => false)]);
          timeout.abort();
          if (!drained) {
            abandoned = counters.active;
            // Unstarted messages see the abort and hand themselves back (visibility 0); handlers
            // still running are abandoned: never deleted by us, redelivered after their timeout.
            hardStop.abort();
            await new Promise((resolve) => setImmediate(resolve));
            await Promise.all([...releases]);
          }
        }
        released = counters.released;
        closed = true;
        for (const timer of timers) clearInterval(timer);
        await deletes.flush();
        try {
          await metrics.flush();
        } catch (error) {
          report({ stage: 'metrics', error });
        }
        state = 'stopped';
        return { drained, released, abandoned };
      })();
      return stopping;
    },

    stats() {
      return { ...counters, inFlight: tracked.size };
    },
  };
}
