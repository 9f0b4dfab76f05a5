// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { type CommandRoute, handleCommand } from '../processing/command-route.js';
import { decode, encode } from './codec.js';
import { type CommandDefinition, defineCommand } from './define-command.js';
import type { Envelope } from './envelope.js';

const meta = { orderId: 'order-1', idempotencyKey: 'order-1:charge' };

// zod: output and input are inferred separately (a default makes the input optional).
const chargeCard = defineCommand({
  type: 'ChargeCard',
  version: 2,
  payload: z.object({ amountMinor: z.int(), currency: z.string().length(3).default('EUR') }),
});
expectTypeOf(chargeCard).toEqualTypeOf<
  CommandDefinition<
    'ChargeCard',
    { amountMinor: number; currency: string },
    { amountMinor: number; currency?: string | undefined }
  >
>();
expectTypeOf(chargeCard.type).toEqualTypeOf<'ChargeCard'>();

expectTypeOf(encode(chargeCard, { amountMinor: 1 }, meta)).toEqualTypeOf<
  Promise<Envelope<'ChargeCard', { amountMinor: number; currency: string }>>
>();
// @ts-expect-error: amountMinor must be a number (the schema's input)
void encode(chargeCard, { amountMinor: '1' }, meta);
// @ts-expect-error: orderId is required metadata
void encode(chargeCard, { amountMinor: 1 }, { idempotencyKey: 'k' });

// A hand-written Standard Schema: output differs from input.
const skuSchema: StandardSchemaV1<{ sku: string }, { sku: string; normalized: true }> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as { sku?: unknown }).sku === 'string'
        ? { value: { sku: (value as { sku: string }).sku.toUpperCase(), normalized: true } }
        : { issues: [{ message: 'expected { sku }', path: [{ key: 'sku' }] }] },
  },
};
const reserve = defineCommand({ type: 'Reserve', version: 1, payload: skuSchema });
expectTypeOf(reserve).toEqualTypeOf<CommandDefinition<'Reserve', { sku: string; normalized: true }, { sku: string }>>();
expectTypeOf(encode(reserve, { sku: 'a' }, meta)).resolves.toEqualTypeOf<
  Envelope<'Reserve', { sku: string; normalized: true }>
>();
// @ts-expect-error: the input has no `normalized`
void encode(reserve, { sku: 'a', normalized: true }, meta);

// handleCommand: the handler sees the command's type and output payload.
const route = handleCommand(reserve, (envelope, context) => {
  expectTypeOf(envelope.type).toEqualTypeOf<'Reserve'>();
  expectTypeOf(envelope.payload).toEqualTypeOf<{ sku: string; normalized: true }>();
  expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
});
expectTypeOf(route).toEqualTypeOf<CommandRoute>();
handleCommand(chargeCard, (envelope) => {
  expectTypeOf(envelope.payload.currency).toEqualTypeOf<string>();
  // @ts-expect-error: no such field in the payload
  void envelope.payload.amount;
});

// decode: a union discriminated by type, resolved asynchronously.
async function decodes(body: string) {
  const envelope = await decode(body, [chargeCard, reserve]);
  expectTypeOf(envelope.type).toEqualTypeOf<'ChargeCard' | 'Reserve'>();
  if (envelope.type === 'Reserve') expectTypeOf(envelope.payload.normalized).toEqualTypeOf<true>();
  else expectTypeOf(envelope.payload.amountMinor).toEqualTypeOf<number>();
}
void decodes;

// @ts-expect-error: the payload must be a Standard Schema
defineCommand({ type: 'T', version: 1, payload: { parse: (value: unknown) => value } });
