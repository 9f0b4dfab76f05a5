import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AnyMachine, ApplyResult, AuditEntry, Snapshot } from '@checkout/state-machine';
import type { Kysely, Transaction } from 'kysely';

/** Who is using the console, as `authorize` returns it. */
export interface ConsoleOperator {
  /** The operator's identity (`support:alice`): shown in the header, the actor of every repair. */
  readonly id: string;
  /** May this operator act (redrive, force, requeue)? `false` is read-only. */
  readonly canAct: boolean;
}

/** One action taken (or refused) through the console, as given to `audit`. */
export interface ConsoleAuditEvent {
  /** `redrive`, `force` or `requeue-dead`. */
  readonly action: 'redrive' | 'force' | 'requeue-dead';
  /** Who asked. */
  readonly operator: string;
  /** `done` when it ran, `failed` when it threw, `refused` when the operator may not act. */
  readonly outcome: 'done' | 'failed' | 'refused';
  /** What it was about (`queue:payment`, `order:o-1`, `outbox`). */
  readonly target: string;
  /** The action's inputs and result counts (strings and numbers only). */
  readonly detail: Readonly<Record<string, string | number | boolean>>;
  /** When, epoch milliseconds. */
  readonly at: number;
}

/** A stage queue with its DLQ, as the console shows it. */
export interface ConsoleQueue {
  /** Display name and URL segment: ASCII letters, digits, `-` and `_`, at most 80 characters. */
  readonly name: string;
  readonly queueUrl: string;
  /** The queue's DLQ; without one the queue has no DLQ page. */
  readonly deadLetterQueueUrl?: string;
  /** Alarm threshold of the oldest message's age, seconds (colors the age). */
  readonly oldestAgeAlarmSeconds?: number;
  /**
   * Age of the oldest message in seconds, when you know it (SQS reports it only to CloudWatch as
   * `ApproximateAgeOfOldestMessage`; the workers' `OldestMessageAge` metric is another source).
   * Without it the overview shows `n/a`.
   */
  readonly oldestAgeSeconds?: () => Promise<number | undefined> | number | undefined;
}

/** The state store the order pages read and `force` writes (a `StateStore` from `@checkout/state-machine`). */
export interface ConsoleStateStore<DB> {
  readonly machine: AnyMachine;
  get(db: Kysely<DB>, id: string): Promise<Snapshot>;
  history(db: Kysely<DB>, id: string): Promise<AuditEntry[]>;
  force(
    trx: Transaction<DB>,
    input: {
      readonly id: string;
      readonly to: string;
      readonly eventId: string;
      readonly actor: string;
      readonly reason: string;
      readonly expectedVersion?: number;
    },
  ): Promise<ApplyResult>;
}

/** The outbox the overview reads (an `Outbox` from `@checkout/outbox`). */
export interface ConsoleOutbox<DB> {
  stats(db: Kysely<DB>): Promise<{
    readonly pending: number;
    readonly oldestPendingAgeMs: number;
    readonly retrying: number;
    readonly dead: number;
    readonly blockedByDead: number;
  }>;
  requeueDead(
    db: Kysely<DB>,
    filter: { readonly destination?: string; readonly groupKey?: string; readonly ids?: readonly string[] },
  ): Promise<number>;
}

/** Facts shown in a panel of the order page (payment intent, reservation): label -> value. */
export type ConsoleFacts = Readonly<Record<string, string | number | boolean | Date | null>>;

/** What the order pages show. */
export interface ConsoleOrders<DB> {
  readonly store: ConsoleStateStore<DB>;
  /** The payment intent of an order (`undefined`: none). */
  readonly paymentIntent?: (orderId: string) => Promise<ConsoleFacts | undefined>;
  /** The inventory reservation of an order (`undefined`: none). */
  readonly reservation?: (orderId: string) => Promise<ConsoleFacts | undefined>;
}

/** Overdue deadlines, when the state store schedules them. */
export interface ConsoleDeadlines {
  stats(): Promise<{ readonly overdue: number; readonly oldestOverdueAgeSeconds: number | null }>;
}

/** Errors the console caught while rendering (a panel shown as unavailable), for your logs. */
export interface ConsoleObserver {
  error?(event: { readonly stage: string; readonly error: unknown }): void;
}

/** Options of {@link createConsole}. */
export interface ConsoleOptions<DB = unknown> {
  /**
   * Required: who is asking. Return the operator (with `canAct: false` for read-only access) or
   * `undefined` to refuse with 401. Runs on every request, assets included.
   */
  readonly authorize: (request: Request) => Promise<ConsoleOperator | undefined> | ConsoleOperator | undefined;
  /**
   * Required: records every action (redrive, force, requeue-dead), refused ones too. Awaited after
   * the action; when it throws the page says the action ran but its audit failed (`CONSOLE_AUDIT_FAILED`).
   */
  readonly audit: (event: ConsoleAuditEvent) => Promise<void> | void;
  /**
   * Sent as `WWW-Authenticate` on 401 refusals, so browsers prompt for credentials when `authorize`
   * reads HTTP auth (`Basic realm="ops"`). Default: none.
   */
  readonly wwwAuthenticate?: string;
  /** Required: the key of the CSRF tokens, at least 32 characters. */
  readonly csrfSecret: string;
  /** Where the console is mounted (`/ops`), no trailing slash. Default `''` (the root). */
  readonly basePath?: string;
  /** No action for anyone, whatever `authorize` says. Default `false`. */
  readonly readOnly?: boolean;
  /** The database the state store and the outbox read. Required with `orders` or `outbox`. */
  readonly db?: Kysely<DB>;
  readonly orders?: ConsoleOrders<NoInfer<DB>>;
  readonly outbox?: ConsoleOutbox<NoInfer<DB>>;
  /** Colors the outbox's oldest pending age. Default 60,000. */
  readonly outboxOldestAlarmMs?: number;
  readonly sqs?: SQSClient;
  /** Queues (with their DLQs) the overview and the DLQ pages show. Needs `sqs`. */
  readonly queues?: readonly ConsoleQueue[];
  readonly deadlines?: ConsoleDeadlines;
  /** DLQ messages listed or redriven per request. Default 100, at most 1,000. */
  readonly maxDeadLetters?: number;
  /** Bound of each SQS call, ms. Default 5,000. */
  readonly requestTimeoutMs?: number;
  /** Page title. Default `checkout console`. */
  readonly title?: string;
  readonly now?: () => number;
  readonly observer?: ConsoleObserver;
}

/** The console: a fetch handler on web-standard `Request` / `Response`. */
export interface OperationsConsole {
  /** Answers one request (a path outside `basePath` is a 404). Never throws. */
  fetch(request: Request): Promise<Response>;
  /** The mount path, as configured. */
  readonly basePath: string;
}
