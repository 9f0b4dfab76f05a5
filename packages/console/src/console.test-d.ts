import type { Outbox } from '@checkout/outbox';
import type { orderMachine, StateStore } from '@checkout/state-machine';
import type { Kysely } from 'kysely';
import { expectTypeOf, test } from 'vitest';
import { type ConsoleOptions, createConsole, type OperationsConsole } from './index.js';

interface AppDatabase {
  orders: { id: string; state: string | null; version: number | null };
}

test('createConsole takes a real StateStore and Outbox over the app database', () => {
  const options = {
    csrfSecret: 'x'.repeat(32),
    authorize: () => ({ id: 'support:alice', canAct: true }),
    audit: () => {},
    db: {} as Kysely<AppDatabase>,
    orders: { store: {} as StateStore<typeof orderMachine, AppDatabase> },
    outbox: {} as Outbox,
  } satisfies ConsoleOptions<AppDatabase>;
  expectTypeOf(createConsole(options)).toEqualTypeOf<OperationsConsole>();
  expectTypeOf(createConsole(options).fetch).returns.resolves.toEqualTypeOf<Response>();
});

test('authorize is required and returns an operator or undefined', () => {
  // @ts-expect-error authorize is required
  createConsole({ csrfSecret: 'x'.repeat(32), audit: () => {} });
  // @ts-expect-error audit is required
  createConsole({ csrfSecret: 'x'.repeat(32), authorize: () => undefined });
  // @ts-expect-error canAct is required
  createConsole({ csrfSecret: 'x'.repeat(32), audit: () => {}, authorize: () => ({ id: 'a' }) });
});
