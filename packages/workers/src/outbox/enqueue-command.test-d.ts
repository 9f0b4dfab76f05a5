// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { createOutbox, type Outbox } from '@checkout/outbox';
import type { Transaction } from 'kysely';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../envelope/define-command.js';
import type { Envelope } from '../envelope/envelope.js';
import { type CommandOutbox, enqueueCommand } from './enqueue-command.js';

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
expectTypeOf(chargeCard.destination).toEqualTypeOf<string | undefined>();

// @checkout/outbox's Outbox satisfies the structural interface, for any database type.
const outbox: Outbox = createOutbox();
expectTypeOf(outbox).toExtend<CommandOutbox<Transaction<AppDatabase>>>();
expectTypeOf(outbox).toExtend<CommandOutbox<Transaction<unknown>>>();

// The call infers the transaction from `trx` and types the payload (input) and the envelope (output).
expectTypeOf(enqueueCommand(outbox, trx, chargeCard, { amountMinor: 1 }, { orderId: 'o-1' })).toEqualTypeOf<
  Promise<Envelope<'ChargeCard', { amountMinor: number; currency: string }>>
>();
void enqueueCommand(
  outbox,
  trx,
  chargeCard,
  { amountMinor: 1, currency: 'USD' },
  {
    orderId: 'o-1',
    key: 'first',
    messageId: '01J0000000000000000000000',
    occurredAt: new Date(),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    delaySeconds: 10,
  },
);

// @ts-expect-error a payload the schema's input refuses
void enqueueCommand(outbox, trx, chargeCard, { amountMinor: '1' }, { orderId: 'o-1' });
// @ts-expect-error orderId is required
void enqueueCommand(outbox, trx, chargeCard, { amountMinor: 1 }, { key: 'k' });
// @ts-expect-error idempotencyKey is derived, never given
void enqueueCommand(outbox, trx, chargeCard, { amountMinor: 1 }, { orderId: 'o-1', idempotencyKey: 'x' });
// @ts-expect-error the outbox's transaction, not a plain Kysely or anything else
void enqueueCommand(outbox, 'not a transaction', chargeCard, { amountMinor: 1 }, { orderId: 'o-1' });

// Any object with the right enqueue works (no dependency on @checkout/outbox at run time).
interface FakeTransaction {
  readonly fake: true;
}
declare const fakeTrx: FakeTransaction;
declare const otherTrx: { readonly other: true };
const recorded: unknown[] = [];
const fake: CommandOutbox<FakeTransaction> = {
  enqueue: async (_trx, message) => {
    recorded.push(message.body.idempotencyKey, message.groupKey, message.attributes.type);
  },
};
void enqueueCommand(fake, fakeTrx, chargeCard, { amountMinor: 1 }, { orderId: 'o-1' });
// @ts-expect-error the transaction must be the fake's own
void enqueueCommand(fake, otherTrx, chargeCard, { amountMinor: 1 }, { orderId: 'o-1' });
