import type { OutboxStats } from '../admin/stats.js';

/** What one relay round did. */
export interface RelayRoundResult {
  /** Rows claimed (locked groups' pending rows, up to 10 x `batchSize`). */
  readonly claimed: number;
  /** Groups (and single ungrouped rows) this round owned. */
  readonly groups: number;
  /** Rows accepted by the publisher and marked sent. */
  readonly published: number;
  /** Rows that failed and were scheduled for a retry or marked dead. */
  readonly failed: number;
  /** Rows that reached `maxAttempts` in this round. */
  readonly dead: number;
  /** True when claimable rows existed but other relays owned all their groups. */
  readonly contended: boolean;
  /** Time from the start of the round until the rows were read (ms). */
  readonly claimMs: number;
  /** Time spent in the publisher (ms). */
  readonly publishMs: number;
}

/**
 * Receives relay metrics. Every hook is optional and may not throw into the relay (errors thrown by
 * a hook are swallowed so that a broken metrics sink never stops publishing). Logs and metrics get
 * ids and counts, never message bodies.
 */
export interface OutboxObserver {
  /** After every round that claimed something (published, failed, dead, claim latency). */
  roundCompleted?(round: RelayRoundResult): void;
  /** Periodic table snapshot while `start()`ed (pending, oldest pending age, dead, ...). */
  stats?(stats: OutboxStats): void;
  /** A round, the listener, cleanup or stats failed; the relay keeps going. */
  error?(error: unknown): void;
}
