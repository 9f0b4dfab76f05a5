// Test support (not published): a fresh schema with an order state store and an outbox, a queue with
// its DLQ on the SQS emulator, and a console over them whose operators come from a test header.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createOutbox, type Outbox } from '@checkout/outbox';
import { createStateStore, orderMachine, type StateStore } from '@checkout/state-machine';
import { createTestQueue, createTestSchema, type TestQueueWithDlq } from '@checkout/testing';
import { useCheckoutStack } from '@checkout/testing/vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createConsole } from '../console.js';
import type { ConsoleAuditEvent, ConsoleOptions, OperationsConsole } from '../options.js';

export interface ConsoleTestDatabase {
  orders: { id: string; state: string | null; version: number | null };
}

export const TEST_SECRET = 'test-secret-of-at-least-32-characters!';
export const ORIGIN = 'http://console.test';

export interface ConsoleStack {
  readonly db: Kysely<ConsoleTestDatabase>;
  readonly store: StateStore<typeof orderMachine, ConsoleTestDatabase>;
  readonly outbox: Outbox;
  readonly sqs: SQSClient;
  readonly queue: TestQueueWithDlq;
  readonly audits: ConsoleAuditEvent[];
  /** A console with operators `alice` (may act) and `bob` (read-only) by the `x-test-operator` header. */
  console(extra?: Partial<ConsoleOptions<ConsoleTestDatabase>>): OperationsConsole;
  createOrder(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function createConsoleStack(): Promise<ConsoleStack> {
  const stack = useCheckoutStack();
  const schema = await createTestSchema(stack.postgres, 'con');
  const pool = new pg.Pool({ connectionString: stack.postgres.url, max: 4 });
  pool.on('error', () => {});
  const root = new Kysely<ConsoleTestDatabase>({ dialect: new PostgresDialect({ pool }) });
  const store = createStateStore<typeof orderMachine, ConsoleTestDatabase>({
    machine: orderMachine,
    schema: schema.name,
    aggregateTable: 'orders',
  });
  await store.migration({ createAggregateTable: true }).up(root);
  await store.deadlineMigration().up(root); // orderMachine declares deadlines
  const outbox = createOutbox({ schema: schema.name });
  await outbox.migration().up(root);
  const sqs = new SQSClient(stack.sqs.clientConfig);
  const queue = await createTestQueue(stack.sqs, { prefix: 'console', maxReceiveCount: 3 });
  const audits: ConsoleAuditEvent[] = [];
  const db = root.withSchema(schema.name);
  return {
    db,
    store,
    outbox,
    sqs,
    queue,
    audits,
    console: (extra = {}) =>
      createConsole<ConsoleTestDatabase>({
        basePath: '/ops',
        csrfSecret: TEST_SECRET,
        authorize: (request) => {
          const who = request.headers.get('x-test-operator');
          if (who === 'alice') return { id: 'support:alice', canAct: true };
          if (who === 'bob') return { id: 'support:bob', canAct: false };
          return undefined;
        },
        audit: (event) => {
          audits.push(event);
        },
        db,
        orders: { store },
        outbox,
        sqs,
        queues: [
          {
            name: 'payment',
            queueUrl: queue.queueUrl,
            deadLetterQueueUrl: queue.dlq.queueUrl,
            oldestAgeAlarmSeconds: 60,
            oldestAgeSeconds: () => 42,
          },
        ],
        requestTimeoutMs: 10_000,
        ...extra,
      }),
    async createOrder(id) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('orders').values({ id, state: null, version: null }).execute();
        await store.create(trx, { id, eventId: `create:${id}`, actor: 'checkout-api' });
      });
    },
    async close() {
      sqs.destroy();
      await root.destroy();
      await schema.drop();
    },
  };
}

/** A GET as `operator`, with the cookie jar's cookie. */
export function get(path: string, operator: string | undefined, cookie?: string): Request {
  const headers = new Headers();
  if (operator !== undefined) headers.set('x-test-operator', operator);
  if (cookie !== undefined) headers.set('cookie', cookie);
  return new Request(`${ORIGIN}${path}`, { headers });
}

/** A same-origin form POST as `operator`. */
export function post(
  path: string,
  operator: string | undefined,
  form: Record<string, string>,
  options: { cookie?: string; origin?: string; site?: string } = {},
): Request {
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
  if (operator !== undefined) headers.set('x-test-operator', operator);
  if (options.cookie !== undefined) headers.set('cookie', options.cookie);
  headers.set('origin', options.origin ?? ORIGIN);
  if (options.site !== undefined) headers.set('sec-fetch-site', options.site);
  return new Request(`${ORIGIN}${path}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

/** Opens a page as `operator` and returns the CSRF cookie and the form token it carries. */
export async function session(
  opsConsole: OperationsConsole,
  operator: string,
  path: string,
): Promise<{ cookie: string; csrf: string; html: string }> {
  const response = await opsConsole.fetch(get(path, operator));
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const html = await response.text();
  const csrf = /name="csrf" value="([0-9a-f]*)"/.exec(html)?.[1] ?? '';
  return { cookie, csrf, html };
}
