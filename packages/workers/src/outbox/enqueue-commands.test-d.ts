// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { createOutbox, type Outbox } from '@checkout/outbox';
import type { Transaction } from 'kysely';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { type CommandBatchOutbox, enqueueCommands } from './enqueue-commands.js';

interface AppDatabase {
  orders: { id: string; status: string };
}
declare const trx: Transaction<AppDatabase>;

const chargeCard = defineCommand({
  type: 'ChargeCard',
  version: 1,
  payload: z.object({ amountMinor: z.int(), currency: z.string().length(3).default('EUR') }),
  destination: 'checkout-payments',
});
const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 2,
  payload: z.object({ template: z.enum(['confirmation', 'cancelled']) }),
  destination: 'checkout-emails',
});

// @checkout/outbox's Outbox satisfies the structural batch interface, for any database type.
const outbox: Outbox = createOutbox();
expectTypeOf(outbox).toExtend<CommandBatchOutbox<Transaction<AppDatabase>>>();
expectTypeOf(outbox).toExtend<CommandBatchOutbox<Transaction<unknown>>>();

// Each entry's payload is typed by its own command; the result is the tuple of their envelopes.
expectTypeOf(
  enqueueCommands(outbox, trx, [
    { command: chargeCard, payload: { amountMinor: 1 }, meta: { orderId: 'o-1' } },
    { command: sendReceipt, payload: { template: 'confirmation' }, meta: { orderId: 'o-1', key: 'confirmation' } },
  ]),
).toEqualTypeOf<
  Promise<
    [
      Envelope<'ChargeCard', { amountMinor: number; currency: string }>,
      Envelope<'SendReceipt', { template: 'confirmation' | 'cancelled' }>,
    ]
  >
>();

void enqueueCommands(outbox, trx, [
  // @ts-expect-error a payload its command's schema refuses
  { command: sendReceipt, payload: { template: 'shipped' }, meta: { orderId: 'o-1' } },
]);

void enqueueCommands(outbox, trx, [
  // @ts-expect-error meta is required (the order id is the group key)
  { command: chargeCard, payload: { amountMinor: 1 } },
]);

// The transaction type comes from `trx`, not from the outbox.
declare const typedOutbox: CommandBatchOutbox<Transaction<AppDatabase>>;
declare const otherTrx: Transaction<{ other: { id: string } }>;
// @ts-expect-error a transaction the outbox was not typed for
void enqueueCommands(typedOutbox, otherTrx, []);
