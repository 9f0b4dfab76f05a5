import { z } from 'zod';
import { boundEcho } from '../api/bounded-echo.js';
import { textProblem } from '../api/request-text.js';
import { type InputIssue, InvalidCartError } from '../errors.js';

/** ISO 4217 code, upper case. */
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR');

/** Request text of at most `maxBytes` UTF-8 bytes, under the rule of `textProblem` (no NUL, controls, lone surrogates). */
function text(maxBytes: number) {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, maxBytes);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** Longest customer id, in UTF-8 bytes (it travels in SQS commands and DynamoDB keys). */
export const MAX_CUSTOMER_ID_BYTES = 128;
/** Longest payment token, in UTF-8 bytes. */
export const MAX_PAYMENT_TOKEN_BYTES = 256;
/** Longest promotion code, in UTF-8 bytes. */
export const MAX_PROMO_CODE_BYTES = 32;

/**
 * A checkout request body. Amounts never come from the client: prices come from the catalog. Every
 * string is checked before anything is written: SKU and currency by pattern, the others by
 * `textProblem`'s rule and a byte limit.
 */
export const CartSchema = z
  .object({
    customerId: text(MAX_CUSTOMER_ID_BYTES),
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
    promoCode: text(MAX_PROMO_CODE_BYTES).optional(),
    paymentToken: text(MAX_PAYMENT_TOKEN_BYTES),
  })
  .strict()
  .refine((cart) => new Set(cart.lines.map((line) => line.sku)).size === cart.lines.length, {
    message: 'each SKU may appear on one line only',
    path: ['lines'],
  });

/** A validated cart. */
export type Cart = z.infer<typeof CartSchema>;

/**
 * Parses an untrusted body into a {@link Cart}, or throws {@link InvalidCartError} naming the bad
 * fields (an unknown field is one issue per name, its name cut short; the error lists a bounded few).
 */
export function parseCart(body: unknown): Cart {
  const result = CartSchema.safeParse(body);
  if (result.success) return result.data;
  const issues: InputIssue[] = [];
  for (const issue of result.error.issues) {
    const parent = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // zod's own message lists every name in full: one issue per name instead, each bounded.
      for (const key of issue.keys)
        issues.push({ path: pathOf([...parent, boundEcho(key)]), message: 'unknown field' });
    } else {
      issues.push({ path: pathOf(parent.map((part) => boundEcho(part))), message: issue.message });
    }
  }
  throw new InvalidCartError(issues);
}

function pathOf(parts: readonly string[]): string {
  return parts.join('.') || '(body)';
}
