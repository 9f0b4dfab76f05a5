import { describe, expect, it } from 'vitest';
import { planBatches } from './batch-plan.js';
import type { PublishEntry } from './publisher.js';

const entry = (id: string, body = 'x'): PublishEntry => ({
  id,
  destination: 'd',
  groupKey: null,
  body,
  attributes: null,
  delaySeconds: null,
  attempt: 1,
});

describe('planBatches', () => {
  it('splits by queue and at 10 entries', () => {
    const entries = Array.from({ length: 23 }, (_, i) => entry(String(i)));
    const urls = entries.map((_, i) => (i % 2 === 0 ? 'q1' : 'q2'));
    const batches = planBatches(entries, urls, 1_000_000);
    expect(batches.map((b) => [b.queueUrl, b.indexes.length])).toEqual([
      ['q1', 10],
      ['q2', 10],
      ['q1', 2],
      ['q2', 1],
    ]);
  });

  it('splits at the byte budget and leaves out entries without a queue', () => {
    const entries = [entry('1', 'a'.repeat(60)), entry('2', 'b'.repeat(60)), entry('3', 'c'), entry('4', 'd')];
    const batches = planBatches(entries, ['q', 'q', undefined, 'q'], 100);
    expect(batches.map((b) => b.indexes)).toEqual([[0], [1, 3]]);
  });
});
