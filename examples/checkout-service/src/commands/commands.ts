import { defineCommand } from '@checkout/workers';
import { z } from 'zod';
import type { QueueName } from '../topology.js';

const Line = z.object({ sku: z.string().min(1), quantity: z.int().min(1) }).strict();

/** Authorize the order's payment intent at the provider (payment worker). */
export const authorizePayment = defineCommand({
  type: 'AuthorizePayment',
  version: 1,
  destination: 'payment' satisfies QueueName,
  payload: z.object({}).strict(),
});

/** Reserve the order's lines in DynamoDB (inventory worker). */
export const reserveInventory = defineCommand({
  type: 'ReserveInventory',
  version: 1,
  destination: 'inventory' satisfies QueueName,
  payload: z.object({ lines: z.array(Line).min(1) }).strict(),
});

/**
 * Compensation (payment worker): void the authorization after short stock or a stock timeout, then
 * cancel the order; cancel the request of a payment that timed out; or, with `authorizationId`, void an
 * authorization that arrived after the order was cancelled.
 */
export const voidPayment = defineCommand({
  type: 'VoidPayment',
  version: 1,
  destination: 'payment' satisfies QueueName,
  payload: z.object({ reason: z.string().min(1), authorizationId: z.string().min(1).optional() }).strict(),
});

/** Commit the reservation and hand the order to the warehouse (fulfillment worker). */
export const startFulfillment = defineCommand({
  type: 'StartFulfillment',
  version: 1,
  destination: 'fulfillment' satisfies QueueName,
  payload: z.object({}).strict(),
});

/** Email the buyer, at most once per order and template (notification worker). */
export const sendReceipt = defineCommand({
  type: 'SendReceipt',
  version: 1,
  destination: 'notification' satisfies QueueName,
  payload: z
    .object({ customerId: z.string().min(1), template: z.enum(['order-confirmation', 'order-cancelled']) })
    .strict(),
});

/** Record the order's outcome in the reporting projection (analytics worker). */
export const publishAnalytics = defineCommand({
  type: 'PublishAnalytics',
  version: 1,
  destination: 'analytics' satisfies QueueName,
  payload: z
    .object({
      customerId: z.string().min(1),
      outcome: z.string().min(1),
      total: z.int().min(0),
      currency: z.string().length(3),
      units: z.int().min(0),
    })
    .strict(),
});

/** Every command the service sends through its outbox (each names its stage queue). */
export const checkoutCommands = [
  authorizePayment,
  reserveInventory,
  voidPayment,
  startFulfillment,
  sendReceipt,
  publishAnalytics,
] as const;
