import { type Kysely, sql } from 'kysely';
import type { CheckoutDatabase } from '../db/database.js';
import type { ApiGatewayProxyResultLike } from './api-handler.js';

const json = (statusCode: number, body: unknown): ApiGatewayProxyResultLike => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function field(record: unknown, name: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[name] : undefined;
}

/** One day and outcome of the reporting projection. */
export interface DailyReportRow {
  readonly day: string;
  readonly outcome: string;
  readonly orders: number;
  readonly units: number;
  readonly total: number;
  readonly currency: string;
}

/**
 * `GET /reports/daily` (HTTP API payload format 2.0; the JWT authorizer's `sub` is required, 401
 * without): orders, units and totals per day and outcome over the last 7 days of `order_report`.
 * Any other route answers 404.
 */
export function createReportingHandler(
  db: Kysely<CheckoutDatabase>,
  schema: string,
): (event: unknown) => Promise<ApiGatewayProxyResultLike> {
  return async (event) => {
    const method = field(field(field(event, 'requestContext'), 'http'), 'method');
    if (method !== 'GET' || field(event, 'rawPath') !== '/reports/daily') {
      return json(404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
    }
    const sub = field(field(field(field(event, 'requestContext'), 'authorizer'), 'jwt'), 'claims');
    if (typeof field(sub, 'sub') !== 'string') {
      return json(401, { error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
    }
    try {
      const rows = await db
        .withSchema(schema)
        .selectFrom('order_report')
        .select([
          sql<string>`to_char(date_trunc('day', recorded_at), 'YYYY-MM-DD')`.as('day'),
          'outcome',
          'currency',
          sql<string>`count(*)`.as('orders'),
          sql<string>`sum(units)`.as('units'),
          sql<string>`sum(total)`.as('total'),
        ])
        .where('recorded_at', '>', sql<Date>`now() - interval '7 days'`)
        .groupBy([sql`1`, 'outcome', 'currency'])
        .orderBy(sql`1`)
        .execute();
      const days: DailyReportRow[] = rows.map((row) => ({
        day: row.day,
        outcome: row.outcome,
        currency: row.currency,
        orders: Number(row.orders),
        units: Number(row.units),
        total: Number(row.total),
      }));
      return json(200, { days });
    } catch (error) {
      console.error('reporting api: unexpected error', error);
      return json(500, { error: { code: 'INTERNAL', message: 'internal error' } });
    }
  };
}
