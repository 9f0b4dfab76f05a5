import { html, type SafeHtml } from '../html.js';

/** `42 s`, `4 min`, `3 h`, `2 d`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** `ok` under half the threshold, `warn` up to it, `alarm` at or past it (`none` without one). */
export function ageLevel(ageMs: number, thresholdMs: number | undefined): 'ok' | 'warn' | 'alarm' | 'none' {
  if (thresholdMs === undefined) return 'none';
  if (ageMs >= thresholdMs) return 'alarm';
  return ageMs >= thresholdMs / 2 ? 'warn' : 'ok';
}

/** An age (`4 min`) colored against `thresholdMs`. */
export function ageBadge(ageMs: number | undefined, thresholdMs?: number): SafeHtml {
  if (ageMs === undefined) return html`<span class="age age-none">n/a</span>`;
  const level = ageLevel(ageMs, thresholdMs);
  const title = thresholdMs === undefined ? '' : `alarm at ${formatDuration(thresholdMs)}`;
  return html`<span class="age age-${level}" title="${title}">${formatDuration(ageMs)}</span>`;
}

/** A point in time shown relative to `now` (`4 min ago`), with the exact time in a `<time>`. */
export function timeAgo(at: Date | undefined, now: number, thresholdMs?: number): SafeHtml {
  if (at === undefined || Number.isNaN(at.getTime())) return html`<span class="age age-none">unknown</span>`;
  const ageMs = now - at.getTime();
  const level = ageLevel(ageMs, thresholdMs);
  return html`<time class="age age-${level}" datetime="${at.toISOString()}" title="${at.toISOString()}">${formatDuration(ageMs)} ago</time>`;
}
