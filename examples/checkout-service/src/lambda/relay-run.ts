import type { OutboxRelay, OutboxStats } from '@checkout/outbox';

/** What one scheduled relay run did. */
export interface RelayRunResult {
  readonly rounds: number;
  readonly published: number;
  readonly failed: number;
  readonly oldestPendingAgeSeconds: number;
}

/**
 * One scheduled run: relay rounds until the outbox is idle or `runForMs` passed, then one EMF line
 * with `OldestPendingAgeSeconds` (namespace and `Service` dimension from the construct), which the
 * relay's alarm watches (missing data breaches, so a relay that stopped running alarms too).
 */
export function createRelayRun(options: {
  readonly relay: OutboxRelay;
  readonly stats: () => Promise<OutboxStats>;
  readonly runForMs: number;
  readonly namespace: string;
  readonly service: string;
}): (event?: unknown, context?: { getRemainingTimeInMillis?: () => number }) => Promise<RelayRunResult> {
  if (!Number.isInteger(options.runForMs) || options.runForMs <= 0) {
    throw new Error(`outbox-relay: OUTBOX_RELAY_RUN_FOR_MS must be a positive integer, got ${options.runForMs}`);
  }
  return async () => {
    const deadline = Date.now() + options.runForMs;
    let rounds = 0;
    let published = 0;
    let failed = 0;
    while (Date.now() < deadline) {
      const round = await options.relay.runOnce();
      rounds += 1;
      published += round.published;
      failed += round.failed;
      if (round.claimed === 0 && !round.contended) break;
    }
    const stats = await options.stats();
    const oldestPendingAgeSeconds = Math.round(stats.oldestPendingAgeMs / 1000);
    console.log(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: options.namespace,
              Dimensions: [['Service']],
              Metrics: [{ Name: 'OldestPendingAgeSeconds', Unit: 'Seconds' }],
            },
          ],
        },
        Service: options.service,
        OldestPendingAgeSeconds: oldestPendingAgeSeconds,
      }),
    );
    return { rounds, published, failed, oldestPendingAgeSeconds };
  };
}
