import { type Kysely, type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/** A connection held for a whole round (its transaction holds the claim's advisory locks). */
export interface HeldConnection {
  /** Runs one statement in the round's transaction. */
  query<R>(statement: RawBuilder<R>): Promise<R[]>;
  /**
   * Runs the transaction's last statement and commits, in one round trip where it can (on a `pg.Pool`
   * client, the statement and `COMMIT` go as one simple query); nothing may run on `held` after it.
   * An error means the statement failed or the commit was not confirmed: the caller treats it like
   * a failed statement (the transaction is rolled back if still open).
   */
  queryAndCommit<R>(statement: RawBuilder<R>): Promise<R[]>;
  /** True once the connection reported an error (e.g. Postgres ended the session): its locks are gone. */
  readonly lost: boolean;
}

/** How the relay reaches Postgres: one transaction held across the publish, and short autocommit statements. */
export interface RelayConnections {
  /**
   * Runs `fn` in one `READ COMMITTED` transaction on a connection held for the whole call and commits.
   * A failed commit after `fn` succeeded (the session ended under us) goes to `onCommitError`: if it
   * returns, `fn`'s result is returned (what the round did was recorded outside this transaction); if
   * it throws, the call fails with that error.
   */
  transaction<T>(fn: (held: HeldConnection) => Promise<T>, onCommitError: (error: unknown) => void): Promise<T>;
  /** Runs one statement in its own (autocommitted) transaction. */
  run<R>(statement: RawBuilder<R>): Promise<R[]>;
}

/**
 * Through `pool`: the relay checks clients out itself and listens for their `'error'` for as long as
 * it holds them (pg-pool listens only while a client is idle, so an error on a checked-out client,
 * such as Postgres ending a paused relay's session, would otherwise be an unhandled `'error'` event
 * that ends the process). Statements are compiled with `db` (same SQL as through Kysely).
 */
export function poolConnections<DB>(
  db: Kysely<DB>,
  pool: pg.Pool,
  onError: (error: unknown) => void,
  waitMs?: number,
): RelayConnections {
  /**
   * `work`, or a rejection after `waitMs` (when given): a connection to a server that stopped
   * answering (a network partition, a failover whose old address drops packets) reports nothing,
   * and the server's own timeouts cannot end a wait for a reply that never comes back.
   */
  async function bounded<T>(work: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
    if (waitMs === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new Error(`${what} got no answer from Postgres within ${waitMs} ms`));
      }, waitMs);
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function checkout() {
    const connecting = pool.connect();
    const client = await bounded(connecting, 'pool.connect()', () => {
      // If it connects after all, give the connection back as broken: nobody is waiting for it.
      connecting.then(
        (late) => {
          late.on('error', () => {});
          late.release(true);
        },
        () => {},
      );
    });
    const state = { lost: false };
    /** One statement on this connection, bounded by `waitMs`: a connection that stopped answering is not asked again. */
    const send = async (text: string, parameters?: readonly unknown[]): Promise<pg.QueryResult | pg.QueryResult[]> => {
      // Its next query would queue behind the first.
      if (state.lost) throw new Error('the connection was lost: Postgres stopped answering on it');
      const running = (
        parameters === undefined ? client.query(text) : client.query(text, parameters as unknown[])
      ) as Promise<pg.QueryResult | pg.QueryResult[]>;
      running.catch(() => {});
      return bounded(running, 'a query', () => {
        state.lost = true;
      });
    };
    const rowsOf = (result: pg.QueryResult | pg.QueryResult[]) =>
      (Array.isArray(result) ? (result[0]?.rows ?? []) : result.rows) as unknown[];
    const query = async <R>(statement: RawBuilder<R>): Promise<R[]> => {
      const compiled = statement.compile(db);
      return rowsOf(await send(compiled.sql, compiled.parameters)) as R[];
    };
    /** Runs `before`, `statement` and `after` (plain SQL, no parameters) as one simple query when `statement` can be inlined. */
    const merged = async <R>(before: string, statement: RawBuilder<R>, after: string): Promise<R[]> => {
      if (before === '' && after === '') return query(statement);
      const compiled = statement.compile(db);
      const text = inlineParameters(compiled.sql, compiled.parameters, (value) => client.escapeLiteral(value));
      if (text === undefined) {
        if (before !== '') await send(before);
        const rows = rowsOf(await send(compiled.sql, compiled.parameters));
        if (after !== '') await send(after);
        return rows as R[];
      }
      const parts = [before, text, after].filter((part) => part !== '');
      const results = await send(parts.join(';\n'));
      const all = Array.isArray(results) ? results : [results];
      return (all[before === '' ? 0 : 1]?.rows ?? []) as R[];
    };
    const listener = (error: Error) => {
      state.lost = true;
      onError(error);
    };
    client.on('error', listener);
    return {
      client,
      state,
      merged,
      query,
      release(broken: boolean) {
        // Back to the pool, which listens again while the client is idle; a broken client is discarded,
        // and keeps a listener of its own: a late error while it closes must not end the process.
        const discard = broken || state.lost;
        if (discard) client.on('error', () => {});
        client.release(discard ? true : undefined);
        client.removeListener('error', listener);
      },
    };
  }
  return {
    async transaction(fn, onCommitError) {
      const held = await checkout();
      let broken = false;
      // BEGIN goes with the transaction's first statement, and COMMIT with its last when the caller
      // says which one that is: one round trip each instead of two.
      let begun = false;
      let committed = false;
      const begin = () => {
        if (committed) throw new Error('the round transaction was already committed');
        const before = begun ? '' : BEGIN;
        begun = true;
        return before;
      };
      try {
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn({
            query: (statement) => held.merged(begin(), statement, ''),
            queryAndCommit: async (statement) => {
              const rows = await held.merged(begin(), statement, 'COMMIT');
              committed = true;
              return rows;
            },
            get lost() {
              return held.state.lost;
            },
          });
        } catch (error) {
          if (begun && !committed) {
            await held.query(sql.raw('ROLLBACK')).catch(() => {
              broken = true;
            });
          }
          throw error;
        }
        if (begun && !committed) {
          try {
            await held.query(sql.raw('COMMIT'));
          } catch (error) {
            broken = true;
            onCommitError(error);
          }
        }
        return result;
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        held.release(broken);
      }
    },
    async run(statement) {
      const held = await checkout();
      let broken = false;
      try {
        return await held.query(statement);
      } catch (error) {
        broken = held.state.lost;
        throw error;
      } finally {
        held.release(broken);
      }
    },
  };
}

/** Through Kysely only: the relay cannot see the connection it holds (see `OutboxRelayOptions.pool`). */
export function kyselyConnections<DB>(db: Kysely<DB>): RelayConnections {
  return {
    async transaction(fn, onCommitError) {
      let done: { value: Awaited<ReturnType<typeof fn>> } | undefined;
      try {
        await db
          .transaction()
          .setIsolationLevel('read committed')
          .execute(async (trx) => {
            const query = async <R>(statement: RawBuilder<R>) => (await statement.execute(trx)).rows;
            const value = await fn({ query, queryAndCommit: query, lost: false });
            done = { value };
          });
      } catch (error) {
        if (done === undefined) throw error;
        onCommitError(error);
      }
      if (done === undefined) throw new Error('the round transaction ended without a result');
      return done.value;
    },
    async run(statement) {
      return (await statement.execute(db)).rows;
    },
  };
}

const BEGIN = 'BEGIN ISOLATION LEVEL READ COMMITTED';

/** A parameter as pg sends it (text), or `undefined` for a type this module does not inline. */
function parameterText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (Array.isArray(value)) {
    // pg's array literal: elements quoted, `"` and `\` escaped, NULL for null.
    const elements: string[] = [];
    for (const element of value) {
      if (element === null || element === undefined) {
        elements.push('NULL');
        continue;
      }
      if (Array.isArray(element)) return undefined;
      const text = parameterText(element);
      if (typeof text !== 'string') return undefined;
      elements.push(`"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    }
    return `{${elements.join(',')}}`;
  }
  return undefined;
}

/**
 * `sql` with each `$n` replaced by parameter n as a quoted literal (type unknown, as pg sends it
 * untyped), so that it can go in a simple query with other statements. `undefined` (the caller then
 * sends it with parameters) when a parameter is of another type or when the text holds anything
 * that would make placeholders ambiguous (dollar quotes, comments, backslashes, semicolons).
 */
export function inlineParameters(
  text: string,
  parameters: readonly unknown[],
  escapeLiteral: (value: string) => string,
): string | undefined {
  if (/\$[^0-9]|\$$|--|\/\*|\\|;/.test(text)) return undefined;
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, index + 1);
      if (end < 0) return undefined;
      out += text.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    if (char === '$') {
      const digits = /^[0-9]+/.exec(text.slice(index + 1))?.[0] ?? '';
      const position = Number(digits);
      if (digits === '' || position < 1 || position > parameters.length) return undefined;
      const value = parameterText(parameters[position - 1]);
      if (value === undefined) return undefined;
      out += value === null ? 'NULL' : escapeLiteral(value);
      index += 1 + digits.length;
      continue;
    }
    out += char;
    index += 1;
  }
  return out;
}
