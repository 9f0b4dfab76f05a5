import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { newMessageId } from './message-id.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('newMessageId', () => {
  it('is a ULID whose time part is the given time', () => {
    const id = newMessageId(1_767_225_600_000);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(1_767_225_600_000);
    expect(decodeTime(newMessageId())).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never repeats, and its random characters are spread evenly over the alphabet', () => {
    const ids = Array.from({ length: 20_000 }, () => newMessageId(0));
    expect(new Set(ids).size).toBe(ids.length);
    // 20,000 ids x 16 random characters: 10,000 expected per character of 32.
    const counts = new Map<string, number>();
    for (const id of ids) for (const char of id.slice(10)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe(CROCKFORD);
    for (const count of counts.values()) expect(Math.abs(count - 10_000)).toBeLessThan(600);
    // Every position varies (no byte reused across positions).
    for (let position = 10; position < 26; position += 1) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(32);
    }
  });
});
