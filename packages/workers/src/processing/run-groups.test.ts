import { describe, expect, it } from 'vitest';
import { runGroups } from './run-groups.js';

describe('runGroups', () => {
  it('keeps order within a group, skips the rest of a failed group, and never exceeds the limit', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ group: `g${i % 3}`, seq: Math.floor(i / 3), id: i }));
    const ran: string[] = [];
    const skipped: number[] = [];
    let active = 0;
    let peak = 0;
    await runGroups(
      items,
      2,
      (item) => item.group,
      async (item) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        active -= 1;
        ran.push(`${item.group}:${item.seq}`);
        return !(item.group === 'g1' && item.seq === 4);
      },
      (item) => skipped.push(item.id),
    );
    expect(peak).toBe(2);
    for (const group of ['g0', 'g2']) {
      expect(ran.filter((entry) => entry.startsWith(group))).toEqual(
        Array.from({ length: 10 }, (_, i) => `${group}:${i}`),
      );
    }
    expect(ran.filter((entry) => entry.startsWith('g1'))).toEqual(['g1:0', 'g1:1', 'g1:2', 'g1:3', 'g1:4']);
    expect(skipped).toEqual(items.filter((item) => item.group === 'g1' && item.seq > 4).map((item) => item.id));
  });
});
