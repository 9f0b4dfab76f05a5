// commandKey / sideEffectKey: one injective key rule (fast-check prints a seed that replays a failure).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidPayloadError } from '../errors.js';
import { encode } from './codec.js';
import { commandKey, sideEffectKey } from './command-key.js';
import { defineCommand } from './define-command.js';

/** Parts rich in the characters that matter: separators, the escape, escape-like text. */
const tricky = fc.constantFrom(':', '%', '#', '%3A', '%25', '%23', '::', 'a:b', '', 'x');
const part = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.array(fc.oneof(tricky, fc.string({ maxLength: 2 })), { maxLength: 4 }).map((pieces) => pieces.join('')),
);
const triple = fc.tuple(part, part, fc.option(part, { nil: undefined }));

const sameTriple = (
  [a1, b1, c1]: readonly [string, string, string | undefined],
  [a2, b2, c2]: readonly [string, string, string | undefined],
) => a1 === a2 && b1 === b2 && c1 === c2;

describe('commandKey', () => {
  it('is orderId:type or orderId:type:key, with %, : and # escaped in each part', () => {
    expect(commandKey('ord_1', 'AuthorizePayment')).toBe('ord_1:AuthorizePayment');
    expect(commandKey('ord_1', 'SendReceipt', 'shipped')).toBe('ord_1:SendReceipt:shipped');
    expect(commandKey('o:1', 'T%', 'k#')).toBe('o%3A1:T%25:k%23');
    expect(commandKey('ord_1', 'SendReceipt', '')).toBe('ord_1:SendReceipt:');
  });

  it('takes a command definition or its type', () => {
    const command = defineCommand({ type: 'ChargeCard', version: 1, payload: z.object({}) });
    expect(commandKey('o-1', command, 'x')).toBe(commandKey('o-1', 'ChargeCard', 'x'));
  });

  it('the classic collisions of a plain join are distinct', () => {
    const keys = [
      commandKey('a:b', 'c'),
      commandKey('a', 'b:c'),
      commandKey('a', 'b', 'c'),
      commandKey('a', 'b', ''),
      commandKey('a', 'b'),
      commandKey('a%3Ab', 'c'),
      commandKey('a', 'b%3Ac'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is injective: different (orderId, type, key) triples never give the same key', () => {
    fc.assert(
      fc.property(triple, triple, (first, second) => {
        const [a, b] = [commandKey(...first), commandKey(...second)];
        return sameTriple(first, second) ? a === b : a !== b;
      }),
      { numRuns: 20_000 },
    );
  });

  it('is injective over one large sample (no two of 20,000 distinct triples share a key)', () => {
    const triples = fc.sample(triple, { numRuns: 20_000, seed: 16 });
    const byKey = new Map<string, readonly [string, string, string | undefined]>();
    for (const t of triples) {
      const key = commandKey(...t);
      const seen = byKey.get(key);
      if (seen !== undefined) expect(sameTriple(seen, t)).toBe(true);
      byKey.set(key, t);
    }
  });

  it('refuses a non-string part, naming it', () => {
    const call = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    for (const [field, f] of [
      ['orderId', () => commandKey(42 as unknown as string, 'T')],
      ['command', () => commandKey('o', { type: 1 } as unknown as { type: string })],
      ['command', () => commandKey('o', null as unknown as string)],
      ['key', () => commandKey('o', 'T', 7 as unknown as string)],
    ] as const) {
      const error = call(f);
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as InvalidPayloadError).field).toBe(field);
    }
  });

  it('a key over the envelope limit (256 characters) is refused at encode as InvalidPayloadError', async () => {
    const command = defineCommand({ type: 'SendReceipt', version: 1, payload: z.object({}) });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 3 }), // printable ASCII (fast-check's default unit)
        fc.integer({ min: 0, max: 300 }),
        async (orderId, length) => {
          const key = commandKey(orderId || 'o', command, ':'.repeat(length)); // each ':' is 3 characters escaped
          const attempt = encode(command, {}, { orderId: orderId || 'o', idempotencyKey: key });
          if (key.length <= 256) await expect(attempt).resolves.toMatchObject({ idempotencyKey: key });
          else
            await expect(attempt).rejects.toMatchObject({ code: 'WORKERS_INVALID_PAYLOAD', field: 'idempotencyKey' });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('sideEffectKey', () => {
  it('is the idempotency key without a purpose, key#purpose (escaped) with one', () => {
    const envelope = { idempotencyKey: commandKey('o-1', 'CapturePayment') };
    expect(sideEffectKey(envelope)).toBe('o-1:CapturePayment');
    expect(sideEffectKey(envelope, 'notify')).toBe('o-1:CapturePayment#notify');
    expect(sideEffectKey(envelope, 'a#b:c')).toBe('o-1:CapturePayment#a%23b%3Ac');
  });

  it('is injective over command keys and purposes, and never equals another command key', () => {
    const withPurpose = fc.tuple(triple, fc.option(part, { nil: undefined }));
    fc.assert(
      fc.property(withPurpose, withPurpose, ([t1, p1], [t2, p2]) => {
        const [a, b] = [
          sideEffectKey({ idempotencyKey: commandKey(...t1) }, p1),
          sideEffectKey({ idempotencyKey: commandKey(...t2) }, p2),
        ];
        return sameTriple(t1, t2) && p1 === p2 ? a === b : a !== b;
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses a non-string purpose or key, naming it', () => {
    expect(() => sideEffectKey({ idempotencyKey: 'k' }, 1 as unknown as string)).toThrow(
      expect.objectContaining({ field: 'purpose' }),
    );
    expect(() => sideEffectKey({} as { idempotencyKey: string })).toThrow(
      expect.objectContaining({ field: 'idempotencyKey' }),
    );
  });
});
