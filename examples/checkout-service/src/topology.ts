/**
 * The seed's per-stage topology, defined once: one queue per stage, each with its own DLQ, worker
 * limits and age alarm. The local runner, the chaos run and the CDK app (`infra/`) all read it, and
 * every command names its queue in its definition (`destination` in `commands/commands.ts`), so a
 * command routed to a queue nobody consumes, or a queue nobody deploys, fails a test instead of
 * silently piling up.
 */

/** The stages, in the order a successful order visits them. */
export const QUEUE_NAMES = ['payment', 'inventory', 'fulfillment', 'notification', 'analytics'] as const;

/** A stage's queue name, which is also the outbox destination of the commands it carries. */
export type QueueName = (typeof QUEUE_NAMES)[number];

/** One stage: its queue and the worker that drains it. */
export interface StageQueue {
  /** FIFO queue (ordered per order id, the outbox group key). */
  readonly fifo: boolean;
  /** Longest one handler may run, seconds (Lambda timeout; the queue's visibility timeout derives from it). */
  readonly handlerTimeoutSeconds: number;
  /** Alarm when the oldest message is older than this, seconds: set by who waits on the stage. */
  readonly oldestAgeAlarmSeconds: number;
  /** Deliveries before a message is parked in the stage's DLQ. */
  readonly maxReceiveCount: number;
  /** Handlers at once: the Lambda's reserved concurrency (>= 2), the local consumer's concurrency. */
  readonly concurrency: number;
  /**
   * Handler starts per second across all consumers of the stage, what the dependency behind it
   * accepts (the local consumers split it between processes; on Lambda, `maxConcurrency` bounds it).
   */
  readonly perSecond: number;
  /** Lambda event source: most concurrent invocations (the dependency's limit, not ours; 2 to `concurrency`). */
  readonly lambdaMaxConcurrency: number;
  /** Lambda event source: records per invocation. */
  readonly lambdaBatchSize: number;
  /** Lambda event source: wait up to this long to fill a batch (standard queues only). Default: none. */
  readonly lambdaMaxBatchingWindowSeconds?: number;
}

/**
 * Requests per second the payment provider accepts before it answers 429. The payment stage's
 * `perSecond` stays below it; the local simulator enforces it, so a wrong setting shows up as
 * throttled calls (counted in the demo report), not as silence.
 */
export const PAYMENT_PROVIDER_RATE_LIMIT_PER_SECOND = 100;

/** Every stage, by queue name. */
export const TOPOLOGY: Readonly<Record<QueueName, StageQueue>> = Object.freeze({
  // A buyer waits on payment: alarm after a minute; limited by the provider, not by us.
  payment: {
    fifo: false,
    handlerTimeoutSeconds: 30,
    oldestAgeAlarmSeconds: 60,
    maxReceiveCount: 10,
    // The provider answers in about 200 ms, so calls in flight bound the stage as much as
    // `perSecond`: 10 allow at most 50 calls/s (the worker's own time on top); with 20, a quiet
    // machine keeps 18-19 busy at about 57 starts/s, close to `perSecond` (`pnpm bench checkout`,
    // `paymentBusyWorkers`). More only help while the cores have room: under load they wait for
    // pool connections and the CPU.
    concurrency: 20,
    perSecond: 60,
    lambdaMaxConcurrency: 5,
    lambdaBatchSize: 10,
  },
  // Reservations of one order stay in order (reserve before release): FIFO by order id.
  inventory: {
    fifo: true,
    handlerTimeoutSeconds: 30,
    oldestAgeAlarmSeconds: 120,
    maxReceiveCount: 10,
    concurrency: 10,
    perSecond: 200,
    lambdaMaxConcurrency: 10,
    lambdaBatchSize: 10,
  },
  fulfillment: {
    fifo: false,
    handlerTimeoutSeconds: 30,
    oldestAgeAlarmSeconds: 300,
    maxReceiveCount: 10,
    concurrency: 10,
    perSecond: 200,
    lambdaMaxConcurrency: 5,
    lambdaBatchSize: 10,
  },
  notification: {
    fifo: false,
    handlerTimeoutSeconds: 30,
    oldestAgeAlarmSeconds: 900,
    maxReceiveCount: 10,
    concurrency: 5,
    perSecond: 100,
    lambdaMaxConcurrency: 5,
    lambdaBatchSize: 10,
  },
  // Nobody waits on analytics: big batches, an hour before anyone is paged.
  analytics: {
    fifo: false,
    handlerTimeoutSeconds: 60,
    oldestAgeAlarmSeconds: 3_600,
    maxReceiveCount: 10,
    concurrency: 2,
    perSecond: 400,
    lambdaMaxConcurrency: 2,
    lambdaBatchSize: 100,
    lambdaMaxBatchingWindowSeconds: 10,
  },
});

/** True when `name` is one of the stages' queues. */
export function isQueueName(name: string): name is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(name);
}
