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
