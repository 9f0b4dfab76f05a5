import { fieldPath } from '@checkout/core';
import { TestingConfigError } from '../errors.js';
import { Reaper, sweepOrphans } from '../stack/reaper.js';
import type { PostgresEndpoint } from '../stack/types.js';
import {
  type EmbeddedPostgresOptions,
  launchEmbeddedPostgres,
  type PostgresRestart,
  type RestartPostgresOptions,
} from './embedded-postgres.js';

/** A private embedded Postgres server: its endpoint, plus `restart()` and `stop()`. */
export interface EmbeddedPostgres extends PostgresEndpoint {
  /** The connection details alone, JSON-serializable. */
  readonly endpoint: PostgresEndpoint;
  /**
   * Restarts the server as a failover looks to its clients: SIGKILL of the postmaster (no shutdown,
   * every connection drops, in-flight transactions are lost, committed ones are kept), a wait until
   * its backends have exited, then a start on the same data directory and port (crash recovery
   * runs). `downMs` keeps it down at least that long. Concurrent calls run one after another.
   * Resolves with the time from the kill until it accepted connections again; a server that does
   * not come back is a `ServiceStartError`, a stopped one a `TestingConfigError` (`postgres`).
   */
  restart(options?: RestartPostgresOptions): Promise<PostgresRestart>;
  /** Stops the server (fast shutdown) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

function checkOptions(options: EmbeddedPostgresOptions): void {
  if (typeof options !== 'object' || options === null) throw new TestingConfigError('options', 'must be an object');
  if (options.durable !== undefined && typeof options.durable !== 'boolean') {
    throw new TestingConfigError('durable', 'must be a boolean');
  }
  const max = options.maxConnections;
  if (max !== undefined && (!Number.isInteger(max) || max < 2 || max > 10_000)) {
    throw new TestingConfigError(
      fieldPath('maxConnections'),
      `must be an integer in [2, 10000], got ${String(max).slice(0, 80)}`,
    );
  }
}

/**
 * Starts a Postgres server of your own on 127.0.0.1 (the embedded binaries, whatever
 * `CHECKOUT_STACK_MODE` or `CHECKOUT_POSTGRES_URL` say), for tests that must not disturb the
 * shared one: restarts, crashes, settings. Ends with the process like the stack's servers (watchdog).
 * A bad option is a `TestingConfigError`; a failed start a `ServiceStartError` with a fix.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { startEmbeddedPostgres } from '@checkout/testing';
 *
 * const server = await startEmbeddedPostgres();
 * const pool = new pg.Pool({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
 * pool.on('error', () => {}); // idle clients die with the server
 * await pool.query('create table t (id int)');
 * await pool.query('insert into t values (1)');
 * const { downMs } = await server.restart({ downMs: 1_000 }); // as a failover looks to clients
 * const { rows } = await pool.query('select count(*)::int as n from t'); // the pool reconnects: n = 1
 * console.log(downMs, rows);
 * await pool.end();
 * await server.stop();
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  checkOptions(options);
  sweepOrphans();
  const reaper = new Reaper();
  let started: Awaited<ReturnType<typeof launchEmbeddedPostgres>>;
  try {
    started = await launchEmbeddedPostgres(reaper, options);
  } catch (error) {
    reaper.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...started.endpoint,
    endpoint: started.endpoint,
    restart: (restartOptions) => started.restart(restartOptions),
    stop: () => {
      stopping ??= started.stop().finally(() => reaper.close());
      return stopping;
    },
  };
}
