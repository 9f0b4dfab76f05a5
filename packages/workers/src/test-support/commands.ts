// Test-only command definitions shared by the test files.
import { z } from 'zod';
import { defineCommand } from '../envelope/define-command.js';

export const chargeCard = defineCommand({
  type: 'ChargeCard',
  version: 2,
  payload: z.strictObject({ amountMinor: z.int().min(0), currency: z.string().length(3), seq: z.int().optional() }),
  upcast: {
    1: (v1) => {
      const old = z.object({ amountCents: z.int() }).parse(v1);
      return { amountMinor: old.amountCents, currency: 'EUR' };
    },
  },
});

export const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  payload: z.object({ email: z.email(), seq: z.int() }),
});
