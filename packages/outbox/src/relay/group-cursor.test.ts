import { describe, expect, it } from 'vitest';
import { GroupCursor, type ScheduledRow } from './group-cursor.js';

const row = (id: string, group: string | null, ready = true, fenced = true): ScheduledRow => ({
  id,
  group_key: group,
  ready,
  fenced,
});

describe('GroupCursor', () => {
  it('offers one row per group per wave; ungrouped rows all in the first wave', () => {
    const cursor = new GroupCursor([
      row('1', 'a'),
      row('2', 'a'),
      row('3', 'b'),
      row('4', null),
      row('5', null),
      row('6', 'a'),
    ]);
    const wave1 = cursor.next();
    expect(wave1.map((r) => r.id)).toEqual(['4', '5', '1', '3']);
    for (const r of wave1) cursor.settle(r, true);
    const wave2 = cursor.next();
    expect(wave2.map((r) => r.id)).toEqual(['2']);
    cursor.settle(wave2[0] as ScheduledRow, true);
    expect(cursor.next().map((r) => r.id)).toEqual(['6']);
  });

  it('stops a group at its first failure: row k+1 is never offered after row k failed', () => {
    const cursor = new GroupCursor([row('1', 'a'), row('2', 'a'), row('3', 'b'), row('4', 'b')]);
    const [a1, b1] = cursor.next();
    cursor.settle(a1 as ScheduledRow, false);
    cursor.settle(b1 as ScheduledRow, true);
    expect(cursor.next().map((r) => r.id)).toEqual(['4']);
  });

  it('cuts a group at a row that is backing off or above the visibility fence', () => {
    const cursor = new GroupCursor([
      row('1', 'a', false),
      row('2', 'a'),
      row('3', 'b'),
      row('4', 'b', true, false),
      row('5', 'b'),
      row('6', null, true, false),
    ]);
    const wave = cursor.next();
    expect(wave.map((r) => r.id)).toEqual(['3']);
    cursor.settle(wave[0] as ScheduledRow, true);
    expect(cursor.next()).toEqual([]);
  });
});
