import { InvalidPayloadError } from '../errors.js';
import type { Envelope } from './envelope.js';

/** Characters escaped in every part of a key: the escape itself and the two separators. */
const RESERVED = /[%:#]/g;
const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', ':': '%3A', '#': '%23' };

/** `%` -> `%25`, `:` -> `%3A`, `#` -> `%23`: the result holds no separator, and the escaping is reversible. */
function escapePart(part: string): string {
  return part.replace(RESERVED, (char) => ESCAPES[char] ?? char);
}

function stringPart(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidPayloadError(field, `expected a string, got ${typeof value}`);
  return value;
}

/**
 * THE idempotency key of a command: the key `enqueueCommand` writes into the envelope's
 * `idempotencyKey`, and the one a handler keys its side effects with. Each part has `%`, `:` and `#`
 * percent-escaped (`%25`, `%3A`, `%23`), then the parts are joined with `:`
 * (`orderId:type` or `orderId:type:key`), so the rule is injective: two different
 * `(orderId, type, key)` triples never give the same key (and no key is omitted vs. empty: `key`
 * `''` differs from no `key`). The same logical command always gives the same key, so a duplicate
 * delivery, a redrive or a re-enqueue lands on the same side-effect keys.
 *
 * The result is not length-checked here: `encode` (and `enqueueCommand`) refuse an envelope whose
 * `idempotencyKey` exceeds 256 characters with an `InvalidPayloadError`.
 *
 * @param orderId - The order the command is about.
 * @param command - A command definition or its `type`.
 * @param key - Optional discriminator for a command sent more than once per order (e.g. a receipt
 *   template); leave it out for a command sent once per order.
 * @throws InvalidPayloadError naming `orderId`, `command` or `key` when one is not a string.
 * @example
 * ```ts
 * import { commandKey } from '@checkout/workers';
 *
 * commandKey('ord_1', 'AuthorizePayment'); // 'ord_1:AuthorizePayment'
 * commandKey('ord_1', 'SendReceipt', 'shipped'); // 'ord_1:SendReceipt:shipped'
 * commandKey('ord:1', 'SendReceipt'); // 'ord%3A1:SendReceipt'
 * ```
 */
export function commandKey(orderId: string, command: string | { readonly type: string }, key?: string): string {
  const order = stringPart('orderId', orderId);
  const type = stringPart(
    'command',
    typeof command === 'object' && command !== null ? (command as { type: unknown }).type : command,
  );
  const parts = [escapePart(order), escapePart(type)];
  if (key !== undefined) parts.push(escapePart(stringPart('key', key)));
  return parts.join(':');
}

/**
 * The key of one side effect of a handled command. Without `purpose` it is the envelope's
 * `idempotencyKey` itself (the command's one side effect); with one it is
 * `<idempotencyKey>#<purpose escaped>` (a second side effect of the same command: the email after
 * the charge). Injective: for keys made by {@link commandKey} (which never contain `#`), no two
 * different `(idempotencyKey, purpose)` pairs, with or without a purpose, give the same key, and
 * none equals another command's key.
 *
 * @throws InvalidPayloadError naming `idempotencyKey` or `purpose` when one is not a string.
 * @example
 * ```ts
 * import { type CommandDefinition, handleCommand, sideEffectKey } from '@checkout/workers';
 *
 * declare const capture: CommandDefinition<'CapturePayment', { amountMinor: number }>;
 * declare function captureAt(requestId: string, amountMinor: number): Promise<void>;
 * declare function notify(eventId: string): Promise<void>;
 *
 * handleCommand(capture, async (envelope) => {
 *   await captureAt(sideEffectKey(envelope), envelope.payload.amountMinor); // = envelope.idempotencyKey
 *   await notify(sideEffectKey(envelope, 'notify'));
 * });
 * ```
 */
export function sideEffectKey(envelope: Pick<Envelope, 'idempotencyKey'>, purpose?: string): string {
  const base = stringPart('idempotencyKey', envelope?.idempotencyKey);
  return purpose === undefined ? base : `${base}#${escapePart(stringPart('purpose', purpose))}`;
}
