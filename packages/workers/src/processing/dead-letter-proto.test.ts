import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { deadLetterAttributes } from './dead-letter-attributes.js';

const annotation = {
  reason: 'permanent',
  error: 'PermanentError: card expired',
  receiveCount: 3,
  source: 'https://sqs.eu-west-1.amazonaws.com/1/q',
  failedAt: '2026-12-02T07:00:00.000Z',
};

describe('deadLetterAttributes with an original attribute named __proto__', () => {
  it('keeps it as an attribute (an assignment would set the prototype and drop it silently)', () => {
    const original = JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "kept"}}') as Record<
      string,
      MessageAttributeValue
    >;
    const out = deadLetterAttributes(original, annotation) ?? {};
    expect(Object.keys(out)).toContain('__proto__');
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({
      DataType: 'String',
      StringValue: 'kept',
    });
  });
});
