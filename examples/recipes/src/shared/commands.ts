import { defineCommand } from '@checkout/workers';
import { z } from 'zod';

/** Authorize the order's payment: sent through the outbox by checkout, handled by the SQS consumer. */
export const authorizePayment = defineCommand({
  type: 'AuthorizePayment',
  version: 1,
  payload: z.object({ amountMinor: z.int().min(1), currency: z.string().length(3) }).strict(),
});
