import { type Kysely, type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/** A connection held for a whole round (its transaction holds the claim's advisory locks). */
export interface HeldConnection {
  /** Runs one statement in the round's transaction. */
  query<R>(statement: RawBuilder<R>): Promise<R[]>;
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
    const listener = (error: Error) => {
      state.lost = true;
      onError(error);
    };
    client.on('error', listener);
    return {
      client,
      state,
      query: async <R>(statement: RawBuilder<R>): Promise<R[]> => {
        // A connection that stopped answering is not asked again (its next query would queue behind the first).
        if (state.lost) throw new Error('the connection was lost: Postgres stopped answering on it');
        const compiled = statement.compile(db);
        const running = client.query(compiled.sql, compiled.parameters as unknown[]);
        running.catch(() => {});
        const result = await bounded(running, 'a query', () => {
          state.lost = true;
        });
        return result.rows as R[];
      },
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
      try {
        await held.query(sql.raw('BEGIN ISOLATION LEVEL READ COMMITTED'));
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn({
            query: held.query,
            get lost() {
              return held.state.lost;
            },
          });
        } catch (error) {
          await held.query(sql.raw('ROLLBACK')).catch(() => {
            broken = true;
          });
          throw error;
        }
        try {
          await held.query(sql.raw('COMMIT'));
        } catch (error) {
          broken = true;
          onCommitError(error);
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
            const value = await fn({ query: async (statement) => (await statement.execute(trx)).rows, lost: false });
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
