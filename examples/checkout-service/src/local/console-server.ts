// The operations console (@checkout/console) over a running checkout environment, on 127.0.0.1:
// `pnpm demo --console` leaves it running after the run, and the browser tests drive it. Operators
// sign in with HTTP Basic auth: `support` may act, `viewer` is read-only; both passwords are random
// per start (printed by the demo), so the console never has open access.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConsoleAuditEvent, type ConsoleOperator, createConsole } from '@checkout/console';
import { toNodeHandler } from '@checkout/console/node';
import { QUEUE_NAMES, type QueueName, TOPOLOGY } from '../topology.js';
import type { CheckoutEnvironment } from './checkout-environment.js';

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  /** Port on 127.0.0.1. Default 0 (any free port). */
  readonly port?: number;
  /** Where the console is mounted. Default `/ops`. */
  readonly basePath?: string;
  /** Every console action (the demo prints them; tests collect them). Default: one JSON line on stdout. */
  readonly onAudit?: (event: ConsoleAuditEvent) => void;
  /** Oldest message age of a stage, seconds, when known (the workers report ages as they receive). */
  readonly oldestAgeSeconds?: (queue: QueueName) => number | undefined;
}

/** A running console server. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/ops/` */
  readonly url: string;
  /** Basic-auth users: `support` may act, `viewer` only looks. */
  readonly users: { readonly support: string; readonly viewer: string };
  stop(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts the console over `env` on 127.0.0.1. */
export async function startConsoleServer(
  env: CheckoutEnvironment,
  options: ConsoleServerOptions = {},
): Promise<ConsoleServer> {
  const basePath = options.basePath ?? '/ops';
  const users = { support: randomBytes(12).toString('hex'), viewer: randomBytes(12).toString('hex') };
  const authorize = (request: Request): ConsoleOperator | undefined => {
    const header = request.headers.get('authorization') ?? '';
    if (!header.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user === 'support' && sameSecret(password, users.support)) return { id: 'support:demo', canAct: true };
    if (user === 'viewer' && sameSecret(password, users.viewer)) return { id: 'viewer:demo', canAct: false };
    return undefined;
  };
  const { deps } = env;
  const opsConsole = createConsole({
    basePath,
    title: 'checkout-service console',
    csrfSecret: randomBytes(32).toString('hex'),
    authorize,
    // Browsers show their sign-in prompt only when a 401 names a scheme.
    wwwAuthenticate: 'Basic realm="checkout console", charset="UTF-8"',
    audit: options.onAudit ?? ((event) => console.log(`console audit ${JSON.stringify(event)}`)),
    db: deps.db,
    orders: {
      store: deps.orders,
      async paymentIntent(orderId) {
        const row = await deps.db
          .withSchema(deps.schema)
          .selectFrom('payment_intents')
          .select([
            'status',
            'amount',
            'currency',
            'authorization_id',
            'decline_reason',
            'provider_request_id',
            'updated_at',
          ])
          .where('order_id', '=', orderId)
          .executeTakeFirst();
        return row === undefined
          ? undefined
          : {
              status: row.status,
              amount: `${(row.amount / 100).toFixed(2)} ${row.currency}`,
              'authorization id': row.authorization_id,
              'decline reason': row.decline_reason,
              'provider request id': row.provider_request_id,
              updated: row.updated_at,
            };
      },
      async reservation(orderId) {
        const reservation = await deps.inventory.getReservation(orderId);
        return reservation === undefined
          ? undefined
          : {
              status: reservation.status,
              lines: reservation.lines.map((line) => `${line.quantity} x ${line.sku}`).join(', '),
              'reserved at': reservation.reservedAt,
              'reserved until': reservation.reservedUntil,
              'settled at': reservation.settledAt ?? null,
            };
      },
    },
    outbox: deps.outbox,
    // Orders past their deadline that no sweeper fired yet (the sweeper runs beside the relays).
    deadlines: { stats: () => deps.orders.deadlineStats(deps.db) },
    sqs: env.sqs,
    queues: QUEUE_NAMES.map((name) => ({
      name,
      queueUrl: env.queues[name].queueUrl,
      deadLetterQueueUrl: env.queues[name].dlq.queueUrl,
      oldestAgeAlarmSeconds: TOPOLOGY[name].oldestAgeAlarmSeconds,
      ...(options.oldestAgeSeconds === undefined ? {} : { oldestAgeSeconds: () => options.oldestAgeSeconds?.(name) }),
    })),
  });
  const handler = toNodeHandler(opsConsole);
  const server = createServer((request, response) => {
    handler(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}/`,
    users,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `pnpm demo --console`: starts the console over `env`, prints its URL and sign-ins, and resolves
 * when the process gets SIGINT or SIGTERM (Ctrl-C), after stopping the server.
 */
export async function serveConsoleUntilInterrupted(
  env: CheckoutEnvironment,
  options: ConsoleServerOptions = {},
): Promise<void> {
  const server = await startConsoleServer(env, options);
  console.log(`\noperations console: ${server.url}`);
  console.log(
    `  sign in as support / ${server.users.support} (may act) or viewer / ${server.users.viewer} (read-only)`,
  );
  console.log('  the workers keep running; press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}
