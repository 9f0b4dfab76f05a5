import { z } from 'zod';
import { InvalidCartError } from '../errors.js';

/** ISO 4217 code, upper case. */
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR');

/** A checkout request body. Amounts never come from the client: prices come from the catalog. */
export const CartSchema = z
  .object({
    customerId: z.string().min(1).max(128),
    currency: Currency,
    lines: z
      .array(
        z
          .object({
            sku: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
            quantity: z.number().int().min(1).max(100),
          })
          .strict(),
      )
      .min(1, 'must have at least one line')
      .max(50, 'must have at most 50 lines'),
    promoCode: z.string().min(1).max(32).optional(),
    paymentToken: z.string().min(1).max(256),
  })
  .strict()
  .refine((cart) => new Set(cart.lines.map((line) => line.sku)).size === cart.lines.length, {
    message: 'each SKU may appear on one line only',
    path: ['lines'],
  });

/** A validated cart. */
export type Cart = z.infer<typeof CartSchema>;

/** Parses an untrusted body into a {@link Cart}, or throws {@link InvalidCartError} naming every bad field. */
export function parseCart(body: unknown): Cart {
  const result = CartSchema.safeParse(body);
  if (result.success) return result.data;
  throw new InvalidCartError(
    result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message })),
  );
}
