import type pg from 'pg';
import { textAndValues } from './query-call.js';

/** Prefix of the names given to statements on a connection (`checkout_stmt_1`, `checkout_stmt_2`, ...). */
const NAME_PREFIX = 'checkout_stmt_';

// Errors after which a named statement cannot be used again on its connection:
// 0A000 "cached plan must not change result type" (DDL changed the columns a `SELECT *` or a
// `RETURNING *` returns), 26000 "prepared statement does not exist" (a `DISCARD ALL` or
// `DEALLOCATE` on the session). The text gets a new name at its next call, which parses it again.
const STALE_STATEMENT_CODES = new Set(['0A000', '26000']);

function isStaleStatement(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' && STALE_STATEMENT_CODES.has(code);
}

/**
 * Makes each connection keep its parameterized statements prepared on the server, up to `max` of them:
 * a statement is parsed and planned by Postgres at its first calls on the connection and then runs
 * from its kept plan. Kysely (and so every `@checkout/*` package) sends unnamed statements, which
 * Postgres parses and plans at every call: in this service's pipeline that planning was about a
 * sixth of Postgres' CPU per order (`pnpm bench checkout`).
 *
 * Only `client.query(text, values)` calls with at least one value are named (each is one statement,
 * sent with the extended protocol anyway); statements without values, multi-statement texts, query
 * objects and cursors are sent as before. The first `max` distinct texts of a connection get a name;
 * later ones go unnamed, so the server keeps at most `max` statements per connection.
 *
 * A named statement whose kept plan no longer fits (a migration changed the columns a `SELECT *`
 * returns: SQLSTATE 0A000) or that the session dropped (`DISCARD ALL`: 26000) fails that one call;
 * its text is parsed again under a new name at the next call.
 *
 * Use it only on a direct connection to Postgres. Through RDS Proxy a named statement pins the
 * client's session to one database connection (no multiplexing any more), and PgBouncer in
 * transaction mode (before 1.21) sends it to a server that never saw it.
 *
 * `max` is checked here, once (a `RangeError` unless a whole number >= 0); the function returned is
 * applied to each new connection (0: leaves it as it is).
 */
export function prepareStatements(max: number): (client: pg.ClientBase) => void {
  if (!Number.isSafeInteger(max) || max < 0) {
    throw new RangeError(`preparedStatements must be a whole number >= 0, got ${max}`);
  }
  return (client) => {
    if (max > 0) keepPrepared(client, max);
  };
}

/** Wraps `client.query` so its first `max` distinct parameterized texts are sent as named statements. */
function keepPrepared(client: pg.ClientBase, max: number): void {
  const names = new Map<string, string>();
  let given = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (...args: unknown[]): unknown => {
    const call = textAndValues(args);
    if (call === undefined || call.values.length === 0) return query(...args);
    const { text, values } = call;
    let name = names.get(text);
    if (name === undefined) {
      if (given >= max) return query(text, values);
      given += 1;
      name = `${NAME_PREFIX}${given}`;
      names.set(text, name);
    }
    const result = query({ name, text, values });
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (isStaleStatement(error) && names.get(text) === name) names.delete(text);
      });
    }
    return result;
  };
  Reflect.set(client, 'query', named);
}
