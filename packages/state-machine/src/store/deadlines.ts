import type { Transaction } from 'kysely';
import { StateMachineInputError } from '../errors.js';
import type { AuditEntry, Snapshot } from './types.js';

/** What `onFired` receives for each deadline `fireDue` applied. */
export interface DeadlineFired<S extends string = string, E extends string = string> {
  /** The aggregate id. */
  readonly id: string;
  /** The state whose deadline passed. */
  readonly from: S;
  /** The deadline's event, now applied. */
  readonly event: E;
  /** The state the event led to. */
  readonly to: S;
  /** The event id it was recorded under: `deadline:<id>:<version>` (the version that entered `from`). */
  readonly eventId: string;
  /** When it was due. */
  readonly dueAt: Date;
  /** The aggregate after the change. */
  readonly snapshot: Snapshot<S>;
  /** The audit entry written (actor `deadline`). */
  readonly entry: AuditEntry;
}

/** Hooks of `fireDue` and `runDeadlines` (every hook optional, called synchronously; a throwing hook is ignored). */
export interface DeadlineObserver {
  /**
   * A deadline could not be fired (its `onFired` threw, or a write failed): it stays due and is tried
   * again by a later call; `id` is the aggregate. For `runDeadlines`, also a batch that failed as a whole
   * (`id` undefined: the database was unreachable, say).
   */
  error?(event: { readonly id: string | undefined; readonly error: unknown }): void;
  /** A deadline was fired and committed. */
  fired?(event: { readonly id: string; readonly eventId: string; readonly from: string; readonly to: string }): void;
}

/** Options of `store.fireDue`. */
export interface FireDueOptions<S extends string = string, E extends string = string, T = unknown> {
  /** At most this many due aggregates per call (one transaction). Default 100, at most 1000. */
  readonly limit?: number;
  /**
   * Runs for every fired deadline inside the transaction that applied it (enqueue follow-up commands
   * here). When it throws, that aggregate's change is rolled back (to a savepoint), reported to
   * `observer.error`, and the deadline stays due for the next call; the others commit.
   */
  readonly onFired?: (trx: Transaction<T>, fired: DeadlineFired<S, E>) => Promise<void> | void;
  /** Error and progress hooks. */
  readonly observer?: DeadlineObserver;
}

/** What `store.fireDue` did. */
export interface FireDueResult {
  /** Due aggregates claimed (locked) by this call; fewer than `limit` means none were left. */
  readonly claimed: number;
  /** Deadlines applied and committed. */
  readonly fired: number;
  /** Deadlines whose `onFired` or write failed (left due). */
  readonly failed: number;
  /** Rows whose deadline no longer applies (the machine dropped the state's deadline): cleared, nothing fired. */
  readonly cleared: number;
}

/** Options of `store.runDeadlines`: `fireDue` in a loop, for a scheduled Lambda or a container. */
export interface DeadlineRunOptions<S extends string = string, E extends string = string, T = unknown>
  extends FireDueOptions<S, E, T> {
  /** Wall-clock budget of the loop (1 to 86,400,000): no batch starts after it; the current one finishes. */
  readonly forMs: number;
  /** Pause after a batch that found nothing more due, or failed (1 to 60,000). Default 1000. */
  readonly idleMs?: number;
  /** Stops the loop early (the current batch finishes; a pause ends at once). */
  readonly signal?: AbortSignal;
  /**
   * Return after the first batch that found nothing more due, instead of pausing `idleMs` and looking
   * again: a scheduled function (run every minute) then ends as soon as it has caught up. Default false.
   */
  readonly untilIdle?: boolean;
}

/** What `store.runDeadlines` did. */
export interface DeadlineRunResult {
  /** Deadlines applied and committed. */
  readonly fired: number;
  /** Deadline firings that failed (each is retried by a later batch). */
  readonly failed: number;
  /** `fireDue` calls made. */
  readonly batches: number;
}

/** What `store.deadlineStats` reports, for an alarm. */
export interface DeadlineStats {
  /** Aggregates whose deadline is due and not fired yet. */
  readonly overdue: number;
  /** Whole seconds since the oldest overdue deadline was due; `null` when none is overdue. */
  readonly oldestOverdueAgeSeconds: number | null;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const DEFAULT_IDLE_MS = 1000;
const MAX_IDLE_MS = 60_000;
const MAX_FOR_MS = 86_400_000;

/** Checked `fireDue` options (internal). */
export interface ResolvedFireDue {
  readonly limit: number;
  readonly onFired: ((trx: never, fired: DeadlineFired) => Promise<void> | void) | undefined;
  readonly observer: DeadlineObserver | undefined;
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new StateMachineInputError(
      field,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}

/** Checks the options of `fireDue` before any SQL (`StateMachineInputError` naming the option). */
export function fireDueOptions(options: unknown): ResolvedFireDue {
  if (options === undefined) return { limit: DEFAULT_LIMIT, onFired: undefined, observer: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new StateMachineInputError('options', `must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const { limit, onFired, observer } = options as Record<string, unknown>;
  if (onFired !== undefined && typeof onFired !== 'function') {
    throw new StateMachineInputError('onFired', `must be a function, got ${typeof onFired}`);
  }
  if (observer !== undefined && (typeof observer !== 'object' || observer === null)) {
    throw new StateMachineInputError('observer', 'must be an object { error?(event), fired?(event) }');
  }
  return {
    limit: limit === undefined ? DEFAULT_LIMIT : wholeNumber('limit', limit, 1, MAX_LIMIT),
    onFired: onFired as ResolvedFireDue['onFired'],
    observer: observer as DeadlineObserver | undefined,
  };
}

/** Checked `runDeadlines` options (internal). */
export interface ResolvedRun extends ResolvedFireDue {
  readonly forMs: number;
  readonly idleMs: number;
  readonly signal: AbortSignal | undefined;
  readonly untilIdle: boolean;
}

/** Checks the options of `runDeadlines` before any SQL. */
export function runOptions(options: unknown): ResolvedRun {
  if (typeof options !== 'object' || options === null) {
    throw new StateMachineInputError(
      'options',
      'must be an object { forMs, limit?, idleMs?, signal?, untilIdle?, onFired? }',
    );
  }
  const fire = fireDueOptions(options);
  const { forMs, idleMs, signal, untilIdle } = options as Record<string, unknown>;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new StateMachineInputError('signal', 'must be an AbortSignal');
  }
  if (untilIdle !== undefined && typeof untilIdle !== 'boolean') {
    throw new StateMachineInputError('untilIdle', 'must be a boolean');
  }
  return {
    ...fire,
    forMs: wholeNumber('forMs', forMs, 1, MAX_FOR_MS),
    idleMs: idleMs === undefined ? DEFAULT_IDLE_MS : wholeNumber('idleMs', idleMs, 1, MAX_IDLE_MS),
    signal: signal as AbortSignal | undefined,
    untilIdle: untilIdle === true,
  };
}

/** Calls an observer hook; a hook that throws is ignored (it never breaks the sweep). */
export function notify<K extends keyof DeadlineObserver>(
  observer: DeadlineObserver | undefined,
  hook: K,
  event: Parameters<NonNullable<DeadlineObserver[K]>>[0],
): void {
  try {
    (observer?.[hook] as ((event: unknown) => void) | undefined)?.call(observer, event);
  } catch {
    // Ignored by contract.
  }
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
