import pg from 'pg';
import { textAndValues } from './query-call.js';

/** What Kysely sends to open a transaction without settings, and to end one. */
const BEGIN = 'begin';
const ENDS = new Set(['commit', 'rollback']);

/** The result `client.query('begin')` answers with while the BEGIN waits for the next statement. */
function commandResult(command: string): pg.QueryResult {
  return { command: command.toUpperCase(), rowCount: null, oid: 0, rows: [], fields: [] };
}

interface QueryConfigWithValues {
  readonly text: string;
  readonly values: unknown[];
  readonly name?: string;
}

/** The parts of `pg`'s connection this file writes to (untyped in `@types/pg`). */
interface Wire {
  parse(config: { readonly text: string }): void;
  bind(config: object): void;
  execute(config: object): void;
}

/**
 * A query that opens the transaction first, in the same write and the same round trip: `BEGIN` as
 * an unnamed extended-protocol statement (Parse, Bind, Execute), then the query's own messages and
 * one Sync. Postgres runs them in order and answers once ready: a failing query leaves the
 * transaction open and aborted, exactly as a `BEGIN` sent alone and then the query would.
 */
function beginThen(
  config: QueryConfigWithValues,
  callback: (error: Error | undefined, result: unknown) => void,
): pg.Query {
  const query = new pg.Query({ ...config }, callback);
  const prepare: unknown = Reflect.get(query, 'prepare');
  const commandComplete: unknown = Reflect.get(query, 'handleCommandComplete');
  if (typeof prepare !== 'function' || typeof commandComplete !== 'function') {
    throw new TypeError('pg.Query has no prepare/handleCommandComplete: deferBegin needs pg 8');
  }
  let begun = false;
  Reflect.set(query, 'prepare', (connection: Wire) => {
    connection.parse({ text: 'BEGIN' });
    connection.bind({});
    connection.execute({});
    Reflect.apply(prepare, query, [connection]);
  });
  Reflect.set(query, 'handleCommandComplete', (message: unknown, connection: Wire) => {
    // The first CommandComplete is BEGIN's: not a result of the query.
    if (!begun) {
      begun = true;
      return;
    }
    Reflect.apply(commandComplete, query, [message, connection]);
  });
  return query;
}

function withValues(args: readonly unknown[]): QueryConfigWithValues | undefined {
  const call = textAndValues(args);
  if (call !== undefined) return call.values.length > 0 ? call : undefined;
  const [first] = args;
  if (args.length !== 1 || typeof first !== 'object' || first === null) return undefined;
  const text: unknown = Reflect.get(first, 'text');
  const values: unknown = Reflect.get(first, 'values');
  const name: unknown = Reflect.get(first, 'name');
  if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return undefined;
  if (typeof Reflect.get(first, 'submit') === 'function') return undefined;
  // Only the keys a plain statement has: anything else (rowMode, types, rows, ...) goes as it is.
  if (Object.keys(first).some((key) => key !== 'text' && key !== 'values' && key !== 'name')) return undefined;
  if (name !== undefined && typeof name !== 'string') return undefined;
  return name === undefined ? { text, values } : { text, values, name };
}

/**
 * Sends a transaction's `BEGIN` together with its first statement: one write and one round trip
 * fewer per transaction. Kysely opens a transaction with `client.query('begin', [])` and waits for
 * it before the first statement; here that call answers at once and the `BEGIN` goes out with the
 * next statement that has values (extended protocol, so one statement), in the same write. A
 * transaction that ends before any statement (`commit` or `rollback` next) sends nothing at all.
 * Any other next call (no values, a multi-statement text, a cursor, a statement named but not yet
 * parsed on this connection) gets the `BEGIN` sent alone first, as before.
 *
 * Errors stay where they were: a statement that fails leaves the transaction open and aborted, and
 * the caller's `rollback` ends it. Only Kysely's exact `begin` is deferred (`start transaction ...`
 * with settings is sent as it is).
 *
 * Returns a function that forgets a `BEGIN` still waiting: call it when the client goes back to its
 * pool, so a transaction its holder never ended cannot open around the next holder's statement.
 */
export function deferBegin(client: pg.ClientBase): () => void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const parsed = (Reflect.get(client, 'connection') as { parsedStatements?: Record<string, string> } | undefined)
    ?.parsedStatements;
  let pending = false;
  const deferred = (...args: unknown[]): unknown => {
    // A `client.query(text, [])` call: how Kysely sends `begin`, `commit` and `rollback`.
    const call = textAndValues(args);
    const plain = call !== undefined && call.values.length === 0;
    if (!pending) {
      if (plain && call.text === BEGIN) {
        pending = true;
        return Promise.resolve(commandResult(BEGIN));
      }
      return query(...args);
    }
    pending = false;
    if (plain && ENDS.has(call.text)) return Promise.resolve(commandResult(call.text));
    const statement = withValues(args);
    const named = statement?.name;
    if (statement === undefined || (named !== undefined && parsed?.[named] !== statement.text)) {
      return (query(BEGIN, []) as Promise<unknown>).then(() => query(...args));
    }
    return new Promise((resolve, reject) => {
      // pg answers a success with a null error (its types say undefined).
      query(beginThen(statement, (error, result) => (error instanceof Error ? reject(error) : resolve(result))));
    });
  };
  Reflect.set(client, 'query', deferred);
  return () => {
    pending = false;
  };
}
