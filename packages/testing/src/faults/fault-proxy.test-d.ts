// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { expectTypeOf } from 'vitest';
import {
  type CheckoutStack,
  createFaultProxy,
  type EmbeddedPostgres,
  type FaultMode,
  type FaultProxy,
  type FaultProxyStats,
  type PostgresEndpoint,
  type PostgresRestart,
  startEmbeddedPostgres,
} from '../index.js';

expectTypeOf(createFaultProxy({ target: 'http://127.0.0.1:8000' })).resolves.toEqualTypeOf<FaultProxy>();
createFaultProxy({ target: { host: '127.0.0.1', port: 5432 }, mode: 'blackhole', latencyMs: 10, jitterMs: 5 });
// @ts-expect-error target is required
createFaultProxy({});
// @ts-expect-error an unknown mode
createFaultProxy({ target: 'http://127.0.0.1:1', mode: 'down' });

declare const proxy: FaultProxy;
expectTypeOf(proxy.mode).toEqualTypeOf<FaultMode>();
expectTypeOf(proxy.stats).toEqualTypeOf<FaultProxyStats>();
expectTypeOf(proxy.url('postgres://u:p@127.0.0.1:5432/db')).toEqualTypeOf<string>();
expectTypeOf(proxy.cutAfter('COMMIT')).toEqualTypeOf<Promise<void>>();
proxy.cutAfter(new Uint8Array([1, 2]), { timeoutMs: 1_000 });
proxy.setLatency(50, { jitterMs: 10 });
// @ts-expect-error modes are pass, refuse, blackhole
proxy.setMode('slow');
// @ts-expect-error stats are read-only
proxy.stats.accepted = 1;

// A private server is an endpoint with restart() and stop(); the stack restarts its own.
expectTypeOf(startEmbeddedPostgres()).resolves.toEqualTypeOf<EmbeddedPostgres>();
expectTypeOf<EmbeddedPostgres>().toMatchTypeOf<PostgresEndpoint>();
declare const server: EmbeddedPostgres;
expectTypeOf(server.restart({ downMs: 1_000 })).toEqualTypeOf<Promise<PostgresRestart>>();
declare const stack: CheckoutStack;
expectTypeOf(stack.restartPostgres()).toEqualTypeOf<Promise<PostgresRestart>>();
// @ts-expect-error downMs is a number of milliseconds
stack.restartPostgres({ downMs: '1s' });
