import type { SQSClient } from '@aws-sdk/client-sqs';
import { getQueueSnapshot, type WorkerMetrics } from '@checkout/workers';
import { QUEUE_NAMES, type QueueName } from '../topology.js';
import type { StageTestQueue } from './checkout-environment.js';

/** What a run did to one stage's queue (the `queues` object of the demo and chaos reports). */
export interface QueueReport {
  /** Most messages seen in the queue at once (visible + in flight + delayed), sampled every `intervalMs`. */
  readonly maxDepth: number;
  /**
   * Oldest message age seen, seconds: the age of each message when a worker received it, maximised.
   * (SQS reports the age of the oldest message only to CloudWatch; at drain every message has been
   * received, so this is the largest oldest-message age the queue had during the run.)
   */
  readonly maxOldestAgeSeconds: number;
  /** Messages in the stage's DLQ at the end. */
  readonly dlq: number;
}

/** A running watch over every stage queue. */
export interface QueueWatch {
  /** Records the age of a message a worker of `queue` just received (see {@link ageMetrics}). */
  recordAge(queue: QueueName, ageMs: number): void;
  /** Stops sampling and returns the report, with each DLQ's depth read now. */
  stop(): Promise<Record<QueueName, QueueReport>>;
}

const depthOf = async (sqs: SQSClient, queueUrl: string) => {
  const snapshot = await getQueueSnapshot(sqs, queueUrl);
  return snapshot.visible + snapshot.inFlight + snapshot.delayed;
};

/** Samples the depth of every stage queue until stopped; ages come from the workers through {@link QueueWatch.recordAge}. */
export function watchQueues(
  sqs: SQSClient,
  queues: Readonly<Record<QueueName, StageTestQueue>>,
  options: { readonly intervalMs?: number } = {},
): QueueWatch {
  const maxDepth = Object.fromEntries(QUEUE_NAMES.map((name) => [name, 0])) as Record<QueueName, number>;
  const maxAgeMs = { ...maxDepth };
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        QUEUE_NAMES.map(async (name) => {
          // A failed sample is one sample fewer, not a failed run.
          const depth = await depthOf(sqs, queues[name].queueUrl).catch(() => 0);
          maxDepth[name] = Math.max(maxDepth[name], depth);
        }),
      );
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs ?? 500);
      });
    }
  })();
  return {
    recordAge(queue, ageMs) {
      if (Number.isFinite(ageMs)) maxAgeMs[queue] = Math.max(maxAgeMs[queue], ageMs);
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      const reports = await Promise.all(
        QUEUE_NAMES.map(
          async (name): Promise<readonly [QueueName, QueueReport]> => [
            name,
            {
              maxDepth: maxDepth[name],
              maxOldestAgeSeconds: maxAgeMs[name] / 1000,
              dlq: await depthOf(sqs, queues[name].dlq.queueUrl),
            },
          ],
        ),
      );
      return Object.fromEntries(reports) as Record<QueueName, QueueReport>;
    },
  };
}

/** A workers metrics sink that reports each received message's age (`SentTimestamp` to receipt) for `queue`. */
export function ageMetrics(queue: QueueName, onAge: (queue: QueueName, ageMs: number) => void): WorkerMetrics {
  return {
    recordOutcome(outcome) {
      if (outcome.ageMs !== undefined) onAge(queue, outcome.ageMs);
    },
    recordQueueSnapshot() {},
    flush: () => Promise.resolve(),
  };
}
