import { describe, expect, it } from 'vitest';
import { ageBadge, ageLevel, formatDuration, timeAgo } from './relative-age.js';

describe('relative ages', () => {
  it('formats durations the way an operator reads them', () => {
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(4 * 60_000 + 59_000)).toBe('4 min');
    expect(formatDuration(3 * 3_600_000)).toBe('3 h');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('colors an age against its threshold: ok under half, warn up to it, alarm from it', () => {
    expect(ageLevel(29_000, 60_000)).toBe('ok');
    expect(ageLevel(30_000, 60_000)).toBe('warn');
    expect(ageLevel(60_000, 60_000)).toBe('alarm');
    expect(ageLevel(1, undefined)).toBe('none');
    expect(ageBadge(90_000, 60_000).value).toBe('<span class="age age-alarm" title="alarm at 1 min">1 min</span>');
    expect(ageBadge(undefined).value).toContain('n/a');
  });

  it('shows a time as "4 min ago" with the exact time in a <time> element', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(timeAgo(at, at.getTime() + 4 * 60_000).value).toBe(
      '<time class="age age-none" datetime="2026-01-01T00:00:00.000Z" title="2026-01-01T00:00:00.000Z">4 min ago</time>',
    );
    expect(timeAgo(undefined, 0).value).toContain('unknown');
  });
});
