import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES, deadLetterAttributes, originalAttributes } from './dead-letter-attributes.js';

const annotation = {
  reason: 'permanent',
  error: 'Error: no',
  receiveCount: 1,
  source: 'q',
  failedAt: '2026-01-01T00:00:00Z',
};
const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

describe('DLQ attributes beside the trace context (SQS allows 10)', () => {
  it('a command (type, traceparent, tracestate) parks with its 3 attributes unpacked beside our 5: 8 in all', () => {
    const original = {
      type: text('AuthorizePayment'),
      traceparent: text('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      tracestate: text('v=1'),
    };
    const out = deadLetterAttributes(original, annotation) ?? {};
    expect(Object.keys(out)).toHaveLength(8);
    expect(out.traceparent).toEqual(original.traceparent);
    expect(out.tracestate).toEqual(original.tracestate);
    expect(out[DLQ_ATTRIBUTES.originalAttributes]).toBeUndefined();
  });

  it('a message already at 10 attributes (8 own + the trace pair) is packed and stays within 10', () => {
    const original: Record<string, MessageAttributeValue> = {
      traceparent: text('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      tracestate: text('v=1'),
    };
    for (let i = 0; i < 8; i += 1) original[`a${i}`] = text(String(i));
    const out = deadLetterAttributes(original, annotation) ?? {};
    expect(Object.keys(out).length).toBeLessThanOrEqual(10);
    expect(originalAttributes(out)).toEqual(original);
  });
});
