import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  DLQ_ATTRIBUTES,
  deadLetterAttributes,
  messageBytes,
  originalAttributes,
  readDeadLetterAnnotation,
} from './dead-letter-attributes.js';

const annotation = {
  reason: 'permanent',
  error: 'PermanentError: card expired',
  receiveCount: 3,
  source: 'https://sqs.eu-west-1.amazonaws.com/1/q',
  failedAt: '2026-12-02T07:00:00.000Z',
};
const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

describe('deadLetterAttributes', () => {
  it('counts what SQS counts: name + data type + value in UTF-8 (binary at its base64 length)', () => {
    expect(attributeBytes('tenant', text('acmé'))).toBe(6 + 6 + 5);
    expect(attributeBytes('n', { DataType: 'Number.int', StringValue: '42' })).toBe(1 + 10 + 2);
    expect(attributeBytes('b', { DataType: 'Binary', BinaryValue: new Uint8Array(4) })).toBe(1 + 6 + 8);
    expect(messageBytes('€', { a: text('b') })).toBe(3 + 1 + 6 + 1);
  });

  it('without a budget keeps everything; more than 5 originals are packed and restored', () => {
    const few = { tenant: text('acme') };
    expect(Object.keys(deadLetterAttributes(few, annotation) ?? {}).sort()).toEqual(
      ['tenant', ...Object.values(DLQ_ATTRIBUTES).filter((n) => n !== DLQ_ATTRIBUTES.originalAttributes)].sort(),
    );
    const many = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`a${i}`, text(`v${i}`)]));
    const packed = deadLetterAttributes(many, annotation) ?? {};
    expect(Object.keys(packed)).toHaveLength(6);
    expect(originalAttributes(packed)).toEqual(many);
    expect(readDeadLetterAnnotation(packed)).toEqual(annotation);
  });

  it('within a budget: cuts the error, then drops the largest originals (and says so), never the reason', () => {
    const originals = { small: text('s'), large: text('L'.repeat(500)) };
    const full = deadLetterAttributes(originals, annotation) ?? {};
    const budget = messageBytes('', full) - 100;
    const cut = deadLetterAttributes(originals, annotation, budget) ?? {};
    expect(messageBytes('', cut)).toBeLessThanOrEqual(budget);
    expect(cut.large).toBeUndefined();
    expect(cut.small).toEqual(text('s'));
    expect(cut[DLQ_ATTRIBUTES.error]?.StringValue).toContain('dropped to fit the size limit: large');
    const tiny = deadLetterAttributes(originals, annotation, 40) ?? {};
    expect(Object.keys(tiny)).toEqual([DLQ_ATTRIBUTES.reason]);
    expect(deadLetterAttributes(originals, annotation, 20)).toBeUndefined();
  });

  it('makes error text safe for SQS (NUL, U+FFFF, unpaired surrogates, astral characters)', () => {
    const attributes = deadLetterAttributes({}, { ...annotation, error: 'a\u0000b\uFFFFc\uD800d😀e' }) ?? {};
    expect(attributes[DLQ_ATTRIBUTES.error]?.StringValue).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
  });
});
