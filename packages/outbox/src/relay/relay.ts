import { type BackoffOptions, backoffDelayMs, backoffProblem, transientFailure } from '@checkout/core';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { type CleanupOptions, validateCleanupOptions } from '../admin/cleanup.js';
import { OutboxConfigError, OutboxPublishTimeoutError, OutboxRelayStateError } from '../errors.js';
import type { Outbox } from '../outbox.js';
import type { OutboxPublisher, PublishEntry, PublishOutcome } from '../publishers/publisher.js';
import { startPublishSpans } from '../tracing/publish-spans.js';
import { type ClaimedRow, claimRows } from './claim.js';
import { kyselyConnections, poolConnections } from './connections.js';
import { GroupCursor } from './group-cursor.js';
import type { OutboxObserver, RelayRoundResult } from './observer.js';
import {
  type DeadRow,
  type FailedRow,
  isEmptyRecord,
  openStatement,
  type RoundRecord,
  recordStatement,
} from './record.js';
import { NotificationListener, Wakeup } from './wakeup.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions<DB> {
  /** Your Kysely instance (Postgres dialect). Each round borrows one connection for one short transaction. */
  readonly db: Kysely<DB>;
  /**
   * The `pg.Pool` behind `db`. Recommended: the relay then checks out the connections it uses itself
   * and listens for their errors while it holds them. A round holds one connection across the publish;
   * if Postgres ends that session (the relay was paused past `claimTimeoutMs`, a failover, a network
   * cut), pg reports it as an `'error'` event on the checked-out client, which `pool.on('error')` does
   * not cover: without `pool` that event is unhandled and ends the process. With it, the relay reports
   * the error to `observer.error`, discards the client and carries on.
   */
  readonly pool?: pg.Pool;
  /** The outbox to drain (from `createOutbox`). */
  readonly outbox: Outbox;
  /** Where rows go, e.g. `createSqsPublisher(...)`. */
  readonly publisher: OutboxPublisher;
  /**
   * Groups a round locks: the claim locks the oldest groups until they hold about this many of the
   * window's rows (each group holds one advisory lock). A round then takes up to 10 x this many rows
   * of those groups, sent in consecutive waves while the round is under 1 s. Default 100, at most 1000.
   */
  readonly batchSize?: number;
  /** Oldest claimable rows a claim looks at to choose groups; make it at least relays x batchSize. Default `4 * batchSize`. */
  readonly claimWindow?: number;
  /**
   * A row whose publish was refused this many times becomes `dead`. Default 10. A failure the publisher
   * marks `retryable` (the SQS publisher: throttling, server errors, timeouts, no connection; the relay:
   * a publish with no outcome before the round's deadline, or a thrown error of that kind) counts as an
   * attempt for the backoff but never makes the row dead: an outage of any length delays rows, it does
   * not kill them.
   */
  readonly maxAttempts?: number;
  /**
   * Retry delays after failures (`BackoffOptions` of `@checkout/core`): exponential from `baseMs`
   * (default 1000), doubling per failure, capped at `maxMs` (default 300000, at most 86400000: a
   * day), with equal jitter (uniform in [d/2, d]: never shorter than half, and many rows failing
   * together do not retry in lockstep).
   */
  readonly backoff?: BackoffOptions;
  /** Randomness of the backoff jitter and of the idle re-look when other relays own every group: `[0, 1)`, default `Math.random`. */
  readonly random?: () => number;
  /**
   * Upper bound of a claim transaction (ms), default 15000: used as its `statement_timeout`,
   * `lock_timeout` and `idle_in_transaction_session_timeout`. A relay that hangs while holding
   * groups loses them (Postgres ends its session) after this long; the relay itself stops starting
   * publish calls, and aborts the ones in flight, after half of it.
   */
  readonly claimTimeoutMs?: number;
  /** Sent rows: `keep` (status `sent`, removed later by cleanup; default) or `delete` at once. */
  readonly onSent?: 'keep' | 'delete';
  /** Polling fallback while idle (ms). Default 1000. */
  readonly pollIntervalMs?: number;
  /**
   * Connection for `LISTEN` (a connection string or `pg` client config). Omit to poll only.
   * Needs the outbox's `notifyChannel` (on by default). Its `connectionTimeoutMillis` (default
   * 10000) bounds connect and `LISTEN`, and paces a `SELECT 1` heartbeat that must be answered
   * within it; a connection that fails either is reported and replaced.
   */
  readonly listen?: string | pg.ClientConfig;
  /** Metrics and error hooks. */
  readonly observer?: OutboxObserver;
  /** While started: read `outbox.stats()` every this many ms and pass them to `observer.stats`. Default 15000; 0 = off. */
  readonly statsIntervalMs?: number;
  /**
   * While started: delete sent rows past retention every `intervalMs` (default 60000; an integer
   * from 1 to 2147483647). Off when omitted. Checked when the relay is created.
   */
  readonly cleanup?: CleanupOptions & { readonly intervalMs?: number };
}

/** Totals over several rounds. */
export interface RelayTotals {
  /** Rounds run. */
  readonly rounds: number;
  /** Rows accepted by the publisher and marked sent. */
  readonly published: number;
  /** Rows that failed (scheduled for a retry or marked dead). */
  readonly failed: number;
  /** Rows that reached `maxAttempts`. */
  readonly dead: number;
}

/** A relay from one outbox table to a publisher. Run as many copies as you like, in one process or many. */
export interface OutboxRelay {
  /** Claims and publishes one round; returns what happened. */
  runOnce(): Promise<RelayRoundResult>;
  /**
   * Rounds until one publishes and fails nothing (for a scheduled Lambda or a test). A row whose
   * transaction is not older than every transaction running on the cluster (the visibility fence)
   * waits for a later call, so a test that shares its Postgres cluster calls this until the rows it
   * expects were published.
   */
  runUntilIdle(options?: { readonly maxRounds?: number }): Promise<RelayTotals>;
  /** Runs like `start()` for `ms`, then returns (for a scheduled Lambda: pass its remaining time minus a margin). */
  runFor(ms: number): Promise<RelayTotals>;
  /** Runs in the background until `stop()`: wakes on NOTIFY, polls as a fallback. */
  start(): Promise<void>;
  /** Finishes the round in flight (its rows are marked and its groups released), then stops. */
  stop(): Promise<void>;
}

/** A random 64-bit advisory-lock key (decimal) for a round's in-flight record. */
function randomLockKey(): string {
  return String(crypto.getRandomValues(new BigInt64Array(1))[0] ?? 0n);
}

/** Backoff when none is given: 1 s doubling to 5 min. */
const BACKOFF_DEFAULTS: Required<BackoffOptions> = { baseMs: 1000, maxMs: 300_000 };
/** Largest `backoff.maxMs`: a day. */
const MAX_BACKOFF_MS = 86_400_000;

/** A round starts no new publish wave after this long (ms), nor after half of `claimTimeoutMs`. */
const ROUND_BUDGET_MS = 1000;

function integerOption(field: string, value: number | undefined, fallback: number, min: number, max: number) {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < min || resolved > max) {
    throw new OutboxConfigError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return resolved;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Creates a relay from `outbox` to `publisher`. Every option is checked here (`OutboxConfigError`
 * naming it, e.g. `backoff.maxMs`); nothing runs until you call one of its methods.
 *
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { createOutbox, createOutboxRelay, createSqsPublisher } from '@checkout/outbox';
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool();
 * const relay = createOutboxRelay({
 *   db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
 *   pool,
 *   outbox: createOutbox(),
 *   publisher: createSqsPublisher({ client: new SQSClient({}), queues: { orders: 'https://sqs.eu-west-1.amazonaws.com/1/orders' } }),
 *   backoff: { baseMs: 1_000, maxMs: 300_000 },
 *   observer: { error: (error) => console.error('outbox relay', error) },
 * });
 * await relay.start(); // later: await relay.stop()
 * ```
 */
export function createOutboxRelay<DB>(options: OutboxRelayOptions<DB>): OutboxRelay {
  if (typeof options !== 'object' || options === null) {
    throw new OutboxConfigError('options', 'must be an object { db, outbox, publisher, ... }');
  }
  const { db, outbox, publisher, observer } = options;
  if (typeof db !== 'object' || db === null || typeof db.transaction !== 'function') {
    throw new OutboxConfigError('db', 'must be a Kysely instance');
  }
  if (typeof outbox !== 'object' || outbox === null || typeof outbox.table !== 'object' || outbox.table === null) {
    throw new OutboxConfigError('outbox', 'must be an outbox from createOutbox()');
  }
  if (typeof publisher !== 'object' || publisher === null || typeof publisher.publish !== 'function') {
    throw new OutboxConfigError('publisher', 'must be an OutboxPublisher (an object with publish(entries, signal))');
  }
  if (options.pool !== undefined && (typeof options.pool !== 'object' || typeof options.pool?.connect !== 'function')) {
    throw new OutboxConfigError('pool', 'must be the pg.Pool behind db');
  }
  if (
    options.listen !== undefined &&
    typeof options.listen !== 'string' &&
    (typeof options.listen !== 'object' || options.listen === null)
  ) {
    throw new OutboxConfigError('listen', 'must be a connection string or a pg client config');
  }
  const table = outbox.table;
  const batchSize = integerOption('batchSize', options.batchSize, 100, 1, 1000);
  const window = integerOption('claimWindow', options.claimWindow, 4 * batchSize, batchSize, 100_000);
  const maxAttempts = integerOption('maxAttempts', options.maxAttempts, 10, 1, 10_000);
  const claimTimeoutMs = integerOption('claimTimeoutMs', options.claimTimeoutMs, 15_000, 200, 3_600_000);
  const pollIntervalMs = integerOption('pollIntervalMs', options.pollIntervalMs, 1000, 5, 3_600_000);
  const statsIntervalMs = integerOption('statsIntervalMs', options.statsIntervalMs, 15_000, 0, 86_400_000);
  const onSent = options.onSent ?? 'keep';
  if (onSent !== 'keep' && onSent !== 'delete') throw new OutboxConfigError('onSent', "must be 'keep' or 'delete'");
  const backoffProblemFound = backoffProblem(options.backoff, BACKOFF_DEFAULTS, MAX_BACKOFF_MS);
  if (backoffProblemFound !== undefined) {
    throw new OutboxConfigError(`backoff.${backoffProblemFound.field}`, backoffProblemFound.reason);
  }
  const backoff: Required<BackoffOptions> = {
    baseMs: options.backoff?.baseMs ?? BACKOFF_DEFAULTS.baseMs,
    maxMs: options.backoff?.maxMs ?? BACKOFF_DEFAULTS.maxMs,
  };
  const givenRandom = options.random ?? Math.random;
  if (typeof givenRandom !== 'function') throw new OutboxConfigError('random', 'must be a function returning [0, 1)');
  // A round's outcomes must be recorded whatever `random` does: a throw or a value outside [0, 1] counts as 0.5.
  const random = () => {
    try {
      const value = givenRandom();
      return typeof value === 'number' && value >= 0 && value <= 1 ? value : 0.5;
    } catch {
      return 0.5;
    }
  };
  if (observer !== undefined && (typeof observer !== 'object' || observer === null)) {
    throw new OutboxConfigError('observer', 'must be an object { error?, roundCompleted?, stats? }');
  }
  const cleanup = options.cleanup;
  // Checked here, not on the first tick of the timer (whose errors only reach the observer).
  if (cleanup !== undefined) validateCleanupOptions(cleanup, 'cleanup.');
  const cleanupIntervalMs =
    cleanup === undefined ? 0 : integerOption('cleanup.intervalMs', cleanup.intervalMs, 60_000, 1, 2_147_483_647);
  const publishBudgetMs = Math.floor(claimTimeoutMs / 2);
  const roundBudgetMs = Math.min(publishBudgetMs, ROUND_BUDGET_MS);

  const notify = <K extends keyof OutboxObserver>(hook: K, value: Parameters<NonNullable<OutboxObserver[K]>>[0]) => {
    try {
      (observer?.[hook] as ((v: typeof value) => void) | undefined)?.call(observer, value);
    } catch {
      // A metrics sink must never stop the relay.
    }
  };

  const connections =
    options.pool === undefined
      ? kyselyConnections(db)
      : // Every wait on Postgres ends by a second past the claim timeout, even when Postgres stops answering.
        poolConnections(db, options.pool, (error) => notify('error', error), claimTimeoutMs + 1_000);

  const toEntry = (row: ClaimedRow): PublishEntry => ({
    id: row.id,
    destination: row.destination,
    groupKey: row.group_key,
    body: row.body,
    attributes: row.attributes,
    delaySeconds: row.delay_seconds,
    attempt: row.attempts + 1,
  });

  /** Resolves with `fallback` after `ms` unless `work` settles first (the work goes on, unobserved). */
  async function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One publish call, never waited on past `deadline`: a publisher that hangs or ignores the signal
   * gives "no outcome", which fails every entry (the attempt was counted before the call).
   */
  async function publishCall(call: readonly ClaimedRow[], signal: AbortSignal, deadline: number) {
    const began = performance.now();
    const spans = startPublishSpans(call, toEntry, publisher.messagingSystem);
    const result = await publishOutcomes(call, spans.entries, signal, deadline, began);
    spans.end(result.outcomes);
    return result;
  }

  async function publishOutcomes(
    call: readonly ClaimedRow[],
    entries: readonly PublishEntry[],
    signal: AbortSignal,
    deadline: number,
    began: number,
  ): Promise<{ readonly outcomes: readonly PublishOutcome[]; readonly stop: boolean }> {
    const work = Promise.resolve()
      .then(() => publisher.publish(entries, signal))
      .then(
        (outcomes) => ({ outcomes }),
        (error: unknown) => ({ error }),
      );
    const settled = await within<{ outcomes?: readonly PublishOutcome[]; error?: unknown } | undefined>(
      work,
      deadline - performance.now(),
      undefined,
    );
    if (settled === undefined || (settled.outcomes === undefined && signal.aborted)) {
      const error = new OutboxPublishTimeoutError(
        call.map((row) => row.id),
        performance.now() - began,
      );
      notify('error', error);
      // No outcome in time: the destination (or the way to it) was not answering, not the rows' fault.
      const outcome = { ok: false, error: errorText(error), retryable: true } as const;
      return { outcomes: call.map(() => outcome), stop: true };
    }
    if (settled.outcomes === undefined) {
      notify('error', settled.error);
      const outcome = {
        ok: false,
        error: errorText(settled.error),
        retryable: transientFailure(settled.error) !== undefined,
      } as const;
      return { outcomes: call.map(() => outcome), stop: false };
    }
    if (settled.outcomes.length !== call.length) {
      const error = `publisher returned ${settled.outcomes.length} outcomes for ${call.length} entries`;
      return { outcomes: call.map(() => ({ ok: false, error }) as const), stop: false };
    }
    return { outcomes: settled.outcomes, stop: false };
  }

  async function runOnce(): Promise<RelayRoundResult> {
    const began = performance.now();
    // True once the round's outcomes are in the claim transaction's mark: then its commit is the record.
    let markedInClaim = false;
    return connections.transaction(
      async (held) => {
        // The round's transaction holds this key (taken by the claim) until it ends: while it does,
        // its in-flight record is live.
        const lockKey = randomLockKey();
        const { candidates, rows } = await claimRows(held, table, batchSize, window, claimTimeoutMs, lockKey);
        if (rows.length === 0) {
          const claimMs = performance.now() - began;
          return {
            claimed: 0,
            groups: 0,
            published: 0,
            failed: 0,
            dead: 0,
            contended: candidates > 0,
            claimMs,
            publishMs: 0,
          };
        }
        const owned = new Set(rows.map((row) => row.group_key ?? `id:${row.id}`)).size;
        const claimMs = performance.now() - began;
        const deadline = began + publishBudgetMs;
        // One signal for the round: it aborts calls in flight at the deadline, whichever wave they are in.
        const signal = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now())));
        // A claim may carry many waves (up to ROUND_DEPTH x batchSize rows): past the round budget
        // start no new wave, so a slow publisher does not keep groups locked for long. Unsent rows
        // stay pending, each group's unsent rows a suffix, and go out in a later round.
        const softDeadline = began + roundBudgetMs;
        // Before the first publish call, committed: charge an attempt to rows a dead relay left in
        // flight, and (unless rows are in doubt) write this round's in-flight record. A crash from here
        // on leaves that record behind, and whoever takes these groups next charges their attempt.
        const open = !rows.some((row) => row.in_doubt);
        const opened = await within(
          connections.run(
            openStatement(
              table,
              rows.map((row) => row.id),
              open,
              lockKey,
            ),
          ),
          claimTimeoutMs,
          undefined,
        );
        if (opened === undefined) throw new Error(`opening the round took over ${claimTimeoutMs} ms`);
        const inflightId = opened[0]?.record_id ?? null;
        const charged = new Map((opened[0]?.charged ?? []).map((row) => [row.id, row.attempts]));
        const claimed =
          charged.size === 0
            ? rows
            : rows.map((row) => {
                const attempts = charged.get(row.id);
                return attempts === undefined ? row : { ...row, attempts, in_doubt: true };
              });
        // Without an in-flight record (rows in doubt), the round goes call by call: each call's attempts
        // are counted, and the previous call's outcomes recorded, in a committed statement before it,
        // and rows in doubt go alone, so a row that crashes relays uses up only its own attempts.
        const byCall = inflightId === null;
        markedInClaim = !byCall;
        const cursor = new GroupCursor(claimed);
        let record: { sent: string[]; failed: FailedRow[]; dead: DeadRow[] } = { sent: [], failed: [], dead: [] };
        let published = 0;
        let failed = 0;
        let dead = 0;
        let calls = 0;
        const write = async (starting: readonly string[], last: boolean) => {
          const pending: RoundRecord = { ...record, starting, counted: byCall, inflightId: last ? inflightId : null };
          record = { sent: [], failed: [], dead: [] };
          if (isEmptyRecord(pending)) return;
          const statement = recordStatement(table, pending, { maxAttempts, onSent });
          // With an in-flight record the outcomes are marked in the claim transaction (if its session is
          // gone the mark fails and the record stays: the next owner charges the attempt). Call by call,
          // each record commits on its own, before the next publish.
          // The last one goes with the COMMIT that releases the groups (one round trip).
          const rows = byCall
            ? await within(connections.run(statement), claimTimeoutMs, undefined)
            : last
              ? await held.queryAndCommit(statement)
              : await held.query(statement);
          if (rows === undefined) throw new Error(`recording the round's outcomes took over ${claimTimeoutMs} ms`);
          published += pending.sent.length;
          failed += pending.failed.length;
          dead += Number(rows[0]?.dead ?? 0);
        };
        waves: for (let wave = cursor.next(); wave.length > 0; wave = cursor.next()) {
          // Rows whose attempts were all used without an outcome (they crashed or hung the relays
          // that tried them) go dead without another try, like any row refused maxAttempts times. A row
          // with an outcome for every attempt is tried again: it is pending past maxAttempts only after
          // retryable failures (an outage), or when maxAttempts was lowered since.
          const live: ClaimedRow[] = [];
          for (const row of wave) {
            if (row.attempts < maxAttempts || !row.in_doubt) {
              live.push(row);
              continue;
            }
            cursor.settle(row, false);
            record.dead.push({
              id: row.id,
              error: `no outcome recorded after ${row.attempts} attempts: the relay stopped (crashed, was killed or hung) while publishing this row`,
            });
          }
          const doubtful = live.filter((row) => row.in_doubt);
          const rest = live.filter((row) => !row.in_doubt);
          const waveCalls = [...doubtful.map((row) => [row]), ...(rest.length > 0 ? [rest] : [])];
          for (const call of waveCalls) {
            // Past half the claim timeout our locks may be gone (a hung process resumes here): send nothing more.
            const now = performance.now();
            if (held.lost || now >= deadline || (now >= softDeadline && calls > 0)) break waves;
            if (byCall)
              await write(
                call.map((row) => row.id),
                false,
              );
            calls += 1;
            const { outcomes, stop } = await publishCall(call, signal, deadline);
            call.forEach((row, index) => {
              const outcome = outcomes[index];
              if (outcome?.ok === true) {
                record.sent.push(row.id);
                cursor.settle(row, true);
                return;
              }
              cursor.settle(row, false);
              record.failed.push({
                id: row.id,
                error: outcome === undefined ? 'no outcome' : outcome.error,
                retryInMs: backoffDelayMs(row.attempts + 1, backoff, 'equal', random),
                retryable: outcome?.retryable === true,
              });
            });
            if (stop) break waves;
          }
        }
        const publishMs = performance.now() - began - claimMs;
        await write([], true);
        return {
          claimed: rows.length,
          groups: owned,
          published,
          failed,
          dead,
          contended: false,
          claimMs,
          publishMs,
        };
      },
      // The claim's session ended before the commit (e.g. Postgres ended it while this process was
      // paused): the locks are gone already. If the mark was in it, the round failed (its in-flight
      // record stays, and the next owner charges the attempt); otherwise every outcome was recorded
      // on its own and only the locks were lost.
      (error) => {
        if (markedInClaim) throw error;
        notify('error', error);
      },
    );
  }

  async function round(): Promise<RelayRoundResult | undefined> {
    try {
      const result = await runOnce();
      if (result.claimed > 0) notify('roundCompleted', result);
      return result;
    } catch (error) {
      notify('error', error);
      return undefined;
    }
  }

  let running: { stopping: boolean; wakeup: Wakeup; done: Promise<void> } | undefined;

  async function drive(state: { stopping: boolean; wakeup: Wakeup }, until: number): Promise<RelayTotals> {
    const listener =
      options.listen !== undefined && table.notifyChannel !== undefined
        ? new NotificationListener(
            typeof options.listen === 'string' ? { connectionString: options.listen } : options.listen,
            table.notifyChannel,
            state.wakeup,
            (error) => notify('error', error),
          )
        : undefined;
    const timers: NodeJS.Timeout[] = [];
    if (statsIntervalMs > 0 && observer?.stats !== undefined) {
      timers.push(
        setInterval(() => {
          outbox.stats(db).then(
            (stats) => notify('stats', stats),
            (error: unknown) => notify('error', error),
          );
        }, statsIntervalMs),
      );
    }
    if (cleanup !== undefined) {
      timers.push(
        setInterval(() => {
          outbox.cleanup(db, cleanup).catch((error: unknown) => notify('error', error));
        }, cleanupIntervalMs),
      );
    }
    for (const timer of timers) timer.unref();
    let totals: RelayTotals = { rounds: 0, published: 0, failed: 0, dead: 0 };
    try {
      // Never awaited: polling goes on whatever the LISTEN endpoint does (it may hang or refuse).
      listener?.open();
      while (!state.stopping && performance.now() < until) {
        const result = await round();
        if (result !== undefined) {
          totals = {
            rounds: totals.rounds + 1,
            published: totals.published + result.published,
            failed: totals.failed + result.failed,
            dead: totals.dead + result.dead,
          };
        }
        if (state.stopping) break;
        if (result !== undefined && result.published + result.failed > 0) continue;
        // Other relays own every claimable group: look again soon (jittered), not after a full poll.
        const idleMs = result?.contended === true ? 5 + Math.floor(random() * 20) : pollIntervalMs;
        await state.wakeup.wait(Math.max(1, Math.min(idleMs, until - performance.now())));
      }
    } finally {
      for (const timer of timers) clearInterval(timer);
      await listener?.close();
    }
    return totals;
  }

  return {
    runOnce,
    async runUntilIdle(runOptions = {}) {
      const maxRounds = runOptions.maxRounds ?? Number.POSITIVE_INFINITY;
      let totals: RelayTotals = { rounds: 0, published: 0, failed: 0, dead: 0 };
      while (totals.rounds < maxRounds) {
        const result = await runOnce();
        totals = {
          rounds: totals.rounds + 1,
          published: totals.published + result.published,
          failed: totals.failed + result.failed,
          dead: totals.dead + result.dead,
        };
        if (result.claimed > 0) notify('roundCompleted', result);
        // Nothing moved: idle, or every claimable group waits (fence, backoff, other relays).
        if (result.published + result.failed === 0) break;
      }
      return totals;
    },
    async runFor(ms) {
      if (running !== undefined) throw new OutboxRelayStateError('runFor() while the relay is started');
      return drive({ stopping: false, wakeup: new Wakeup() }, performance.now() + ms);
    },
    async start() {
      if (running !== undefined) throw new OutboxRelayStateError('start() called twice; call stop() first');
      // One object: stop() flips the same `stopping` flag the loop reads.
      const state = { stopping: false, wakeup: new Wakeup(), done: Promise.resolve() };
      state.done = drive(state, Number.POSITIVE_INFINITY).then(() => undefined);
      running = state;
    },
    async stop() {
      const current = running;
      if (current === undefined) return;
      current.stopping = true;
      current.wakeup.signal();
      await current.done;
      running = undefined;
    },
  };
}
