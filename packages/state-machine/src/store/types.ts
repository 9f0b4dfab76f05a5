import type { InvalidTransitionReason } from '../errors.js';

/** A JSON value, as stored in the audit table's `payload` (jsonb). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The current state of one aggregate, read from its row. */
export interface Snapshot<S extends string = string> {
  /** The aggregate id (text form of the primary key). */
  readonly id: string;
  /** The current state. */
  readonly state: S;
  /** Number of recorded changes: 1 after `create`, +1 per applied transition or force. */
  readonly version: number;
  /** Version of the machine definition that wrote the row last. */
  readonly machineVersion: number;
  /** When `create` ran. */
  readonly createdAt: Date;
  /** When the state last changed. */
  readonly updatedAt: Date;
}

/** How an audit entry came about. */
export type AuditKind = 'created' | 'transition' | 'forced';

/** One row of the audit timeline. Names are plain strings: history outlives machine versions. */
export interface AuditEntry {
  /** The machine's id. */
  readonly machineId: string;
  /** The aggregate id. */
  readonly aggregateId: string;
  /** The aggregate version this entry produced (1 for `created`); versions are contiguous. */
  readonly version: number;
  /** `created` by `create`, `transition` by `apply`, `forced` by `force` (manual repair). */
  readonly kind: AuditKind;
  /** The applied event; `null` for `created` and `forced`. */
  readonly event: string | null;
  /** The state before; `null` for `created`. */
  readonly from: string | null;
  /** The state after. */
  readonly to: string;
  /** The caller's idempotency id for this change. */
  readonly eventId: string;
  /** Who made the change (a worker name, a user id, `support:alice`). */
  readonly actor: string;
  /** Why (always set for `forced`). */
  readonly reason: string | null;
  /** The payload as stored (jsonb: a `Date` given is its ISO string here), or `null`. */
  readonly payload: JsonValue | null;
  /** Version of the machine definition that wrote the entry. */
  readonly machineVersion: number;
  /** Commit-transaction time of the change. */
  readonly at: Date;
}

/** What `create`, `apply` and `force` return. */
export interface ApplyResult<S extends string = string> {
  /** `false` when the event id was already recorded: nothing was written and `snapshot` is the current state. */
  readonly applied: boolean;
  /** The aggregate's state after the call. */
  readonly snapshot: Snapshot<S>;
  /** The audit entry of this event id (written now, or found when `applied` is `false`). */
  readonly entry: AuditEntry;
}

/** A change the store just wrote, as given to `onTransition` (same transaction). */
export interface StateChange<S extends string = string, E extends string = string> {
  /** The machine's id. */
  readonly machineId: string;
  /** The aggregate id. */
  readonly id: string;
  /** `created`, `transition` or `forced`. */
  readonly kind: AuditKind;
  /** The applied event (`null` for `created` and `forced`). */
  readonly event: E | null;
  /** The state before (`null` for `created`; a plain string because `force` may repair a row whose state is unknown). */
  readonly from: string | null;
  /** The state after. */
  readonly to: S;
  /** The new version. */
  readonly version: number;
  /** The caller's idempotency id. */
  readonly eventId: string;
  /** Who made the change. */
  readonly actor: string;
  /** Why, when given. */
  readonly reason: string | null;
  /** The payload as stored (the same value the audit entry holds), or `null`. */
  readonly payload: JsonValue | null;
}

/**
 * What `store.advance` returns, told apart by `outcome`:
 * - `applied`: every event of the step was written now (`entries`: one audit entry per event, in order);
 * - `duplicate`: the step's event id was recorded before (a redelivery): nothing written, `entries` are
 *   the entries recorded the first time;
 * - `not-allowed`: the first event is not accepted in the current `state` (a late or out-of-order
 *   command, or its guard said no): nothing written, `reason` and `allowedEvents` say why.
 *
 * @example
 * ```ts
 * import type { AdvanceResult, OrderEvent, OrderState } from '@checkout/state-machine';
 *
 * function describeOutcome(result: AdvanceResult<OrderState, OrderEvent>): string {
 *   switch (result.outcome) {
 *     case 'applied':
 *       return `now ${result.snapshot.state} at version ${result.snapshot.version}`;
 *     case 'duplicate':
 *       return `already recorded as version ${result.entries[0]?.version}`;
 *     case 'not-allowed':
 *       return `${result.event} is not allowed in ${result.state} (${result.reason})`;
 *   }
 * }
 * ```
 */
export type AdvanceResult<S extends string = string, E extends string = string> =
  | {
      /** Every event of the step was written in the caller's transaction. */
      readonly outcome: 'applied';
      /** The aggregate after the last event. */
      readonly snapshot: Snapshot<S>;
      /** The audit entries written, one per event, oldest first (as stored, equal to `history()`'s). */
      readonly entries: readonly AuditEntry[];
    }
  | {
      /** The step's event id was already recorded: nothing was written. */
      readonly outcome: 'duplicate';
      /** The aggregate's current state (it may have moved on since the step was recorded). */
      readonly snapshot: Snapshot<S>;
      /** The audit entries recorded for this step the first time, oldest first. */
      readonly entries: readonly AuditEntry[];
    }
  | {
      /** The first event is not accepted in the current state: nothing was written. */
      readonly outcome: 'not-allowed';
      /** The state the aggregate is in (same as `snapshot.state`). */
      readonly state: S;
      /** The refused event (the first of the step). */
      readonly event: E;
      /** The aggregate's current state. */
      readonly snapshot: Snapshot<S>;
      /** Why: `event-not-allowed`, `terminal-state` or `guard-rejected` (as `InvalidTransitionError.reason`). */
      readonly reason: InvalidTransitionReason;
      /** The events `state` accepts (before guards); empty for a terminal state. */
      readonly allowedEvents: readonly E[];
    };

/** The `applied` member of {@link AdvanceResult}: what `advance`'s `onApplied` callback gets. */
export type AdvanceApplied<S extends string = string, E extends string = string> = Extract<
  AdvanceResult<S, E>,
  { readonly outcome: 'applied' }
>;
