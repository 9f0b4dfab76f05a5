import type { SQSClient } from '@aws-sdk/client-sqs';
import { createOutboxRelay, createSqsPublisher, type OutboxRelay } from '@checkout/outbox';
import { createSqsConsumer, type SqsConsumer, type WorkerObserver } from '@checkout/workers';
import type pg from 'pg';
import { checkoutCommandRoutes } from '../handlers/command-handlers.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';

/** Options of {@link startLocalRunner}. */
export interface LocalRunnerOptions {
  readonly deps: CheckoutDeps;
  readonly sqs: SQSClient;
  /** The commands queue (its redrive policy names the DLQ). */
  readonly queueUrl: string;
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
  /** Run the command consumer. Default true; `false` (with `relays` >= 1) makes a relay-only process. */
  readonly consume?: boolean;
  /** Command handlers at once. Default 16. */
  readonly concurrency?: number;
  /** Handler starts per second (protects Postgres, DynamoDB and the provider). Default 200. */
  readonly perSecond?: number;
  /** Visibility timeout of received commands, renewed by the heartbeat while a handler runs. Default 30. */
  readonly visibilityTimeoutSeconds?: number;
  /** Hooks of the consumer; `observer.error` gets the errors it survived (default: ignored here; the invariants are what counts). */
  readonly observer?: WorkerObserver;
}

/** A running local runner. */
export interface LocalRunner {
  readonly relays: readonly OutboxRelay[];
  readonly consumer: SqsConsumer;
  /** Stops the consumer (unfinished messages go back to the queue) and the relays. */
  stop(): Promise<void>;
}

/**
 * Runs the same command handlers the Lambda runs, with `@checkout/workers`' long-poll consumer, and
 * the outbox relays in this process: the container / laptop shape of the service.
 */
export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const { deps } = options;
  const publisher = createSqsPublisher({ client: options.sqs, queues: { [deps.destination]: options.queueUrl } });
  const relays = Array.from({ length: options.relays ?? 2 }, () =>
    createOutboxRelay({
      db: deps.db,
      pool: options.pool,
      outbox: deps.outbox,
      publisher,
      pollIntervalMs: 250,
      backoff: { baseMs: 200, maxMs: 2_000 },
      ...(options.listen === undefined ? {} : { listen: options.listen }),
    }),
  );
  const consumer = createSqsConsumer({
    client: options.sqs,
    queueUrl: options.queueUrl,
    commands: checkoutCommandRoutes(deps),
    concurrency: options.concurrency ?? 16,
    rateLimit: { perSecond: options.perSecond ?? 200 },
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    backoff: { baseMs: 1_000, maxMs: 10_000 },
    metrics: false,
    observer: options.observer ?? { error: () => {} },
  });
  const consume = options.consume ?? true;
  for (const relay of relays) await relay.start();
  if (consume) consumer.start();
  return {
    relays,
    consumer,
    async stop() {
      if (consume) await consumer.stop({ timeoutMs: 10_000 });
      await Promise.all(relays.map((relay) => relay.stop()));
    },
  };
}
