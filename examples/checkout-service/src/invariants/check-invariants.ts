import type { SQSClient } from '@aws-sdk/client-sqs';
import { listDeadLetters } from '@checkout/workers';
import { sql } from 'kysely';
import { TABLES } from '../db/migrations.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import type { SentEmail } from '../simulators/email-provider.js';
import type { LedgerEntry } from '../simulators/payment-provider.js';

/** The invariants of issue 9, by name. */
export const INVARIANT_NAMES = [
  'oneOrderPerKey',
  'retriesSameOrder',
  'atMostOneChargePerOrder',
  'noOversell',
  'stockConserved',
  'everyOrderSettled',
  'outboxDrained',
  'atMostOneReceiptPerOrder',
  'auditComplete',
  'poisonInDlq',
  'paidOrdersFulfilledOrRefunded',
  'noOrderStuck',
  'acceptedOrdersSettled',
] as const;

/** One invariant's verdict. */
export interface InvariantResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** Every invariant's verdict. */
export type InvariantReport = Record<(typeof INVARIANT_NAMES)[number], InvariantResult>;

/** What the load generator observed (the only input that is not durable state). */
export interface CheckoutSubmission {
  readonly principal: string;
  readonly key: string;
  /** The order id of each 201 answer this key got (duplicates and retries included). */
  readonly orderIds: readonly string[];
  /** A copy of this key was retried after a 503 / 409 / 5xx, a client timeout or a network error. */
  readonly retried?: boolean;
  /** A copy of this key ran out of attempts without a final answer. */
  readonly gaveUp?: boolean;
  /** Each copy's final HTTP status (`'none'`: gave up). */
  readonly finalStatuses?: readonly (number | 'none')[];
}

/** Inputs of {@link checkInvariants}: the durable state to read, and what was injected. */
export interface InvariantInput {
  readonly deps: CheckoutDeps;
  readonly initialStock: Readonly<Record<string, number>>;
  readonly submissions: readonly CheckoutSubmission[];
  /** The payment provider's ledger and the email provider's sent list (their own durable records). */
  readonly ledger: readonly LedgerEntry[];
  readonly emails: readonly SentEmail[];
  readonly sqs: SQSClient;
  /** Every stage's DLQ. */
  readonly deadLetterQueueUrls: readonly string[];
  /** A marker string contained in the body of each injected poison message. */
  readonly poisonMarkers?: readonly string[];
}

const TERMINAL = new Set(['COMPLETED', 'PAYMENT_DECLINED', 'CANCELLED']);

const verdict = (bad: readonly string[], okDetail: string, limit = 5): InvariantResult =>
  bad.length === 0
    ? { ok: true, detail: okDetail }
    : { ok: false, detail: `${bad.length} violation(s): ${bad.slice(0, limit).join('; ')}` };

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * Checks the checkout invariants from durable state only: Postgres (orders, audit, outbox),
 * DynamoDB (stock), the provider and email ledgers, and the DLQ. Run it after the flow drained.
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const { deps } = input;
  const app = deps.db.withSchema(deps.schema);
  const orders = await app
    .selectFrom('orders')
    .select(['id', 'principal', 'idempotency_key', 'state', 'version', 'lines'])
    .execute();
  const byId = new Map(orders.map((o) => [o.id, o]));
  const deadLetters = (
    await Promise.all(
      input.deadLetterQueueUrls.map((queueUrl) => listDeadLetters({ client: input.sqs, queueUrl, maxMessages: 1_000 })),
    )
  ).flat();

  // One order per key, and every key that got a 201 has its order.
  const perKey = countBy(orders, (o) => `${o.principal}\u0000${o.idempotency_key}`);
  const oneOrderPerKey = verdict(
    [
      ...[...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k.replace('\u0000', ':')} has ${n} orders`),
      ...input.submissions
        .filter((s) => s.orderIds.length > 0 && !perKey.has(`${s.principal}\u0000${s.key}`))
        .map((s) => `${s.principal}:${s.key} answered 201 but has no order`),
    ],
    `${perKey.size} keys, ${orders.length} orders`,
  );

  const retriesSameOrder = verdict(
    input.submissions.flatMap((s) => {
      const ids = new Set(s.orderIds);
      const stored = orders.find((o) => o.principal === s.principal && o.idempotency_key === s.key)?.id;
      if (ids.size > 1) return [`${s.principal}:${s.key} got ${ids.size} different order ids`];
      if (ids.size === 1 && stored !== undefined && !ids.has(stored))
        return [`${s.principal}:${s.key} answered another id`];
      return [];
    }),
    `${input.submissions.reduce((n, s) => n + s.orderIds.length, 0)} answers over ${input.submissions.length} keys`,
  );

  const chargesPerOrder = countBy(
    input.ledger.filter((e) => e.status !== 'declined'),
    (e) => e.orderId,
  );
  const atMostOneChargePerOrder = verdict(
    [...chargesPerOrder].filter(([, n]) => n > 1).map(([id, n]) => `order ${id} charged ${n} times`),
    `${input.ledger.length} provider requests, ${chargesPerOrder.size} orders charged`,
  );

  const completedUnits = new Map<string, number>();
  for (const order of orders) {
    if (order.state !== 'COMPLETED') continue;
    for (const line of order.lines) completedUnits.set(line.sku, (completedUnits.get(line.sku) ?? 0) + line.quantity);
  }
  const levels = await deps.inventory.getAvailability(Object.keys(input.initialStock));
  const oversold: string[] = [];
  const unconserved: string[] = [];
  for (const [sku, initial] of Object.entries(input.initialStock)) {
    const level = levels.get(sku);
    if (level === undefined) {
      unconserved.push(`${sku}: no stock item`);
      continue;
    }
    if (level.available < 0 || level.committed > initial)
      oversold.push(`${sku}: available ${level.available}, committed ${level.committed} of ${initial}`);
    const total = level.available + level.reserved + level.committed;
    if (total !== initial) unconserved.push(`${sku}: ${total} units, started with ${initial}`);
    if (level.committed !== (completedUnits.get(sku) ?? 0)) {
      unconserved.push(`${sku}: committed ${level.committed}, completed orders hold ${completedUnits.get(sku) ?? 0}`);
    }
    if (level.reserved !== 0) unconserved.push(`${sku}: ${level.reserved} units still reserved`);
  }
  const noOversell = verdict(oversold, `${levels.size} SKUs, none below zero or over-committed`);
  const stockConserved = verdict(
    unconserved,
    'available + reserved + committed = initial; committed = completed orders',
  );

  const dlqOrders = new Set(deadLetters.map((m) => m.orderId).filter((id) => id !== undefined));
  const unsettled = orders.filter((o) => !TERMINAL.has(o.state ?? '') && !dlqOrders.has(o.id));
  const everyOrderSettled = verdict(
    unsettled.map((o) => `order ${o.id} is ${o.state}`),
    `${orders.length} orders: ${[...countBy(orders, (o) => o.state ?? 'null')].map(([s, n]) => `${n} ${s}`).join(', ')}`,
  );

  const stats = await deps.outbox.stats(deps.db);
  const outboxDrained = verdict(
    [...(stats.pending > 0 ? [`${stats.pending} pending`] : []), ...(stats.dead > 0 ? [`${stats.dead} dead`] : [])],
    'no pending or dead outbox rows',
  );

  const receipts = countBy(input.emails, (e) => `${e.orderId}:${e.template}`);
  // Receipts whose sender died mid-send: never resent automatically (at most once), left for support.
  const { rows: doubt } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM ${sql.id(deps.schema, TABLES.idempotency)} WHERE status = 'in_progress'`.execute(deps.db);
  const atMostOneReceiptPerOrder = verdict(
    [...receipts].filter(([, n]) => n > 1).map(([k, n]) => `${k} sent ${n} times`),
    `${input.emails.length} emails, ${Number(doubt[0]?.n ?? 0)} in doubt (sender killed mid-send, not resent)`,
  );

  const { rows: auditGaps } = await sql<{ id: string; version: number; rows: string; versions: string }>`
    SELECT o.id, o.version, count(a.version) AS rows, count(DISTINCT a.version) AS versions
    FROM ${sql.id(deps.schema, TABLES.orders)} o
    LEFT JOIN ${sql.id(deps.schema, TABLES.audit)} a ON a.aggregate_id = o.id AND a.machine_id = ${deps.orders.machine.id}
    GROUP BY o.id, o.version
    HAVING count(a.version) <> o.version OR count(DISTINCT a.version) <> o.version OR max(a.version) <> o.version`.execute(
    deps.db,
  );
  const auditComplete = verdict(
    auditGaps.map((g) => `order ${g.id} at version ${g.version} has ${g.rows} audit rows`),
    'one audit row per version, for every order',
  );

  const markers = input.poisonMarkers ?? [];
  const poisonInDlq = verdict(
    markers.filter((m) => !deadLetters.some((d) => d.body.includes(m))).map((m) => `${m} not in a DLQ`),
    markers.length === 0 ? 'no poison injected' : `${markers.length} poison messages in the DLQs`,
  );

  const money: string[] = [];
  for (const entry of input.ledger) {
    const state = byId.get(entry.orderId)?.state;
    if (entry.status === 'authorized' && state !== 'COMPLETED' && !dlqOrders.has(entry.orderId)) {
      money.push(`order ${entry.orderId} holds an authorization but is ${state}`);
    }
  }
  for (const order of orders) {
    if (order.state === 'COMPLETED' && !input.ledger.some((e) => e.orderId === order.id && e.status === 'authorized')) {
      money.push(`order ${order.id} completed without an authorization`);
    }
  }
  const paidOrdersFulfilledOrRefunded = verdict(money, 'every authorization is a completed order or was voided');

  // No order waits forever: each is terminal (or its command is in a DLQ, with a reason), and no state
  // deadline is overdue (the sweeper fired every one that came due).
  const deadlines = await deps.orders.deadlineStats(deps.db);
  const { rows: timeouts } = await sql<{ event: string; n: number }>`
    SELECT event, count(*)::int AS n FROM ${sql.id(deps.schema, TABLES.audit)}
    WHERE machine_id = ${deps.orders.machine.id} AND event_id LIKE 'deadline:%' GROUP BY event ORDER BY event`.execute(
    deps.db,
  );
  const noOrderStuck = verdict(
    [
      ...unsettled.map((o) => `order ${o.id} is stuck in ${o.state}`),
      ...(deadlines.overdue > 0
        ? [`${deadlines.overdue} deadline(s) overdue, oldest by ${deadlines.oldestOverdueAgeSeconds} s`]
        : []),
    ],
    `every order terminal or dead-lettered, no deadline overdue; fired: ${
      timeouts.map((t) => `${t.n} ${t.event}`).join(', ') || 'none'
    }`,
  );

  // What a client was told is what happened: every 201 is an order that exists and ended terminal,
  // and every key whose client kept retrying (503s, timeouts, errors) until it got its final answer
  // ended with exactly one order, the one it was answered (an ambiguous COMMIT replays, never doubles).
  const orderIdsByKey = new Map<string, string[]>();
  for (const order of orders) {
    const key = `${order.principal}\u0000${order.idempotency_key}`;
    orderIdsByKey.set(key, [...(orderIdsByKey.get(key) ?? []), order.id]);
  }
  const acceptedProblems: string[] = [];
  let accepted = 0;
  let retriedKeys = 0;
  for (const s of input.submissions) {
    const label = `${s.principal}:${s.key}`;
    for (const id of new Set(s.orderIds)) {
      accepted += 1;
      const order = byId.get(id);
      if (order === undefined) acceptedProblems.push(`${label} answered 201 with ${id}, which does not exist`);
      else if (!TERMINAL.has(order.state ?? ''))
        acceptedProblems.push(`${label}: accepted order ${id} is ${order.state}`);
    }
    if (s.retried === true && s.gaveUp !== true) {
      retriedKeys += 1;
      const stored = orderIdsByKey.get(`${s.principal}\u0000${s.key}`) ?? [];
      const created = (s.finalStatuses ?? []).includes(201);
      // Answered 201: exactly that one order. Answered only 4xx in the end: none at all.
      if (stored.length !== (created ? 1 : 0))
        acceptedProblems.push(
          `${label} was retried, answered ${(s.finalStatuses ?? []).join('/')} and has ${stored.length} orders`,
        );
      if (created && stored.length === 1 && s.orderIds.some((id) => id !== stored[0]))
        acceptedProblems.push(`${label} was retried and answered an id that is not its order`);
    }
  }
  const gaveUp = input.submissions.filter((s) => s.gaveUp === true).length;
  const acceptedOrdersSettled = verdict(
    acceptedProblems,
    `${accepted} accepted orders settled; ${retriedKeys} retried keys with one order each${gaveUp === 0 ? '' : `; ${gaveUp} keys gave up`}`,
  );

  return {
    oneOrderPerKey,
    retriesSameOrder,
    atMostOneChargePerOrder,
    noOversell,
    stockConserved,
    everyOrderSettled,
    outboxDrained,
    atMostOneReceiptPerOrder,
    auditComplete,
    poisonInDlq,
    paidOrdersFulfilledOrRefunded,
    noOrderStuck,
    acceptedOrdersSettled,
  };
}
