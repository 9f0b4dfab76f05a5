import type { SQSClient } from '@aws-sdk/client-sqs';
import { createOutboxRelay, createSqsPublisher, type OutboxRelay } from '@checkout/outbox';
import { createSqsConsumer, type SqsConsumer, type WorkerObserver } from '@checkout/workers';
import type pg from 'pg';
import { stageRoutes } from '../handlers/command-handlers.js';
import { runOrderDeadlines } from '../handlers/deadline-handlers.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import { QUEUE_NAMES, type QueueName, TOPOLOGY } from '../topology.js';
import { ageMetrics } from './queue-watch.js';

/** Options of {@link startLocalRunner}. */
export interface LocalRunnerOptions {
  readonly deps: CheckoutDeps;
  readonly sqs: SQSClient;
  /** The queue URL of every stage (each queue's redrive policy names its DLQ). */
  readonly queueUrls: Readonly<Record<QueueName, string>>;
  /**
   * The `pg.Pool` behind `deps.db`: the relays listen for errors on the connections they hold, so a
   * relay paused past its claim timeout (its session ended by the server) survives instead of dying
   * of an unhandled `'error'` event.
   */
  readonly pool: pg.Pool;
  /** Postgres URL for the relay's LISTEN connection (wake-up on commit); polling stays on regardless. */
  readonly listen?: string;
  /** Outbox relays to run (several are safe: groups are locked per order). Default 2. */
  readonly relays?: number;
  /** Run the stage workers. Default true; `false` (with `relays` >= 1) makes a relay-only process. */
  readonly consume?: boolean;
  /**
   * This process's share of each stage's limits (concurrency and `perSecond` from the topology), for
   * when several processes consume the same queues: 1 / number of consumer processes. Default 1.
   */
  readonly share?: number;
  /** Visibility timeout of received commands, renewed by the heartbeat while a handler runs. Default: the stage's handler timeout. */
  readonly visibilityTimeoutSeconds?: number;
  /** Hooks of the consumers; `observer.error` gets the errors they survived (default: ignored here; the invariants are what counts). */
  readonly observer?: WorkerObserver;
  /** Called with the age of every message a worker receives (for the per-queue report). */
  readonly onAge?: (queue: QueueName, ageMs: number) => void;
  /**
   * Run the order deadline sweeper (`runOrderDeadlines`) beside the relays. Default: when this process
   * runs relays. Several sweepers are safe (due orders are claimed with SKIP LOCKED).
   */
  readonly deadlines?: boolean;
}

/** A running local runner. */
export interface LocalRunner {
  readonly relays: readonly OutboxRelay[];
  /** One long-poll consumer per stage queue, by queue name. */
  readonly consumers: Readonly<Record<QueueName, SqsConsumer>>;
  /** Stops the consumers (unfinished messages go back to their queues) and the relays. */
  stop(): Promise<void>;
}

/**
 * Runs the same stage handlers the Lambdas run, one `@checkout/workers` long-poll consumer per stage
 * queue with the stage's own concurrency and rate limit (`topology.ts`), and the outbox relays
 * publishing every command to its stage's queue: the container / laptop shape of the service.
 */
export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const { deps } = options;
  const share = options.share ?? 1;
  const publisher = createSqsPublisher({ client: options.sqs, queues: options.queueUrls });
  const relays = Array.from({ length: options.relays ?? 2 }, () =>
    createOutboxRelay({
      db: deps.db,
      pool: options.pool,
      outbox: deps.outbox,
      publisher,
      pollIntervalMs: 250,
      backoff: { baseMs: 200, maxMs: 2_000 },
      // An SQS outage (chaos --infra-faults) delays rows and never makes them dead: its refused or
      // timed-out publishes are retryable failures, which maxAttempts does not count.
      ...(options.listen === undefined ? {} : { listen: options.listen }),
    }),
  );
  const consumer = (queue: QueueName): SqsConsumer => {
    const stage = TOPOLOGY[queue];
    return createSqsConsumer({
      client: options.sqs,
      queueUrl: options.queueUrls[queue],
      commands: stageRoutes(deps, queue),
      concurrency: Math.max(1, Math.round(stage.concurrency * share)),
      rateLimit: { perSecond: Math.max(1, stage.perSecond * share) },
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? stage.handlerTimeoutSeconds,
      backoff: { baseMs: 1_000, maxMs: 10_000 },
      metrics: options.onAge === undefined ? false : ageMetrics(queue, options.onAge),
      observer: options.observer ?? { error: () => {} },
      // One order, one trace: each command is processed under its publish span.
      tracing: { useProducerAsParent: true },
    });
  };
  const consumers = Object.fromEntries(QUEUE_NAMES.map((queue) => [queue, consumer(queue)])) as Record<
    QueueName,
    SqsConsumer
  >;
  const consume = options.consume ?? true;
  for (const relay of relays) await relay.start();
  if (consume) for (const queue of QUEUE_NAMES) consumers[queue].start();
  const stopSweeper = new AbortController();
  const sweeper =
    (options.deadlines ?? relays.length > 0)
      ? runOrderDeadlines(deps, { forMs: 86_400_000, idleMs: 250, signal: stopSweeper.signal }).catch(() => undefined)
      : undefined;
  return {
    relays,
    consumers,
    async stop() {
      stopSweeper.abort();
      if (consume) await Promise.all(QUEUE_NAMES.map((queue) => consumers[queue].stop({ timeoutMs: 10_000 })));
      await Promise.all(relays.map((relay) => relay.stop()));
      await sweeper;
    },
  };
}
