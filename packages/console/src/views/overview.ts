import { html, type SafeHtml } from '../html.js';
import { csrfField, type PageContext } from './layout.js';
import { ageBadge } from './relative-age.js';

/** A value read for a panel, or why it could not be read. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** One queue row of the overview. */
export interface QueueRow {
  readonly name: string;
  readonly hasDeadLetters: boolean;
  readonly alarmSeconds: number | undefined;
  readonly queue: Loaded<{ visible: number; inFlight: number; delayed: number }>;
  readonly deadLetters: Loaded<number> | undefined;
  readonly oldestAgeSeconds: Loaded<number | undefined>;
}

/** Everything the overview shows. */
export interface OverviewData {
  readonly queues: readonly QueueRow[];
  readonly outbox:
    | Loaded<{ pending: number; oldestPendingAgeMs: number; retrying: number; dead: number; blockedByDead: number }>
    | undefined;
  readonly outboxAlarmMs: number;
  readonly deadlines: Loaded<{ overdue: number; oldestOverdueAgeSeconds: number | null }> | undefined;
  readonly flash?: SafeHtml;
}

const unavailable = (error: string) => html`<span class="pill bad" title="${error}">unavailable</span>`;

function stat(label: string, value: SafeHtml | number | string, testId: string): SafeHtml {
  return html`<div class="stat" data-testid="${testId}"><div class="label">${label}</div><div class="value">${value}</div></div>`;
}

/** The overview page's body. */
export function overviewBody(ctx: PageContext, data: OverviewData): SafeHtml {
  const base = ctx.basePath;
  const queues =
    data.queues.length === 0
      ? html`<p class="muted">No queues configured.</p>`
      : html`<div class="table-wrap"><table class="responsive" data-testid="queues">
<thead><tr><th>Queue</th><th class="num">Depth</th><th class="num">In flight</th><th class="num">Delayed</th><th>Oldest age</th><th class="num">DLQ</th></tr></thead>
<tbody>${data.queues.map((row) => {
          const q = row.queue;
          const dlq =
            row.deadLetters === undefined
              ? html`<span class="muted">none</span>`
              : row.deadLetters.ok
                ? html`<a href="${base}/queues/${encodeURIComponent(row.name)}/dead-letters"><span class="pill${row.deadLetters.value > 0 ? ' bad' : ''}">${row.deadLetters.value}</span></a>`
                : unavailable(row.deadLetters.error);
          const age = row.oldestAgeSeconds.ok
            ? ageBadge(
                row.oldestAgeSeconds.value === undefined ? undefined : row.oldestAgeSeconds.value * 1000,
                row.alarmSeconds === undefined ? undefined : row.alarmSeconds * 1000,
              )
            : unavailable(row.oldestAgeSeconds.error);
          const alarm =
            row.alarmSeconds === undefined ? '' : html` <span class="muted">/ alarm ${row.alarmSeconds} s</span>`;
          return html`<tr data-queue="${row.name}">
<td data-label="Queue"><strong>${row.name}</strong></td>
<td data-label="Depth" class="num">${q.ok ? q.value.visible : unavailable(q.error)}</td>
<td data-label="In flight" class="num">${q.ok ? q.value.inFlight : ''}</td>
<td data-label="Delayed" class="num">${q.ok ? q.value.delayed : ''}</td>
<td data-label="Oldest age">${age}${alarm}</td>
<td data-label="DLQ" class="num">${dlq}</td>
</tr>`;
        })}</tbody></table></div>`;
  let outbox: SafeHtml | string = '';
  if (data.outbox !== undefined) {
    const o = data.outbox;
    outbox = html`<section class="card" data-testid="outbox"><h2>Outbox</h2>${
      o.ok
        ? html`<div class="stats">
${stat('pending', o.value.pending, 'outbox-pending')}
${stat('oldest pending', o.value.pending === 0 ? html`<span class="age age-ok">none</span>` : ageBadge(o.value.oldestPendingAgeMs, data.outboxAlarmMs), 'outbox-oldest')}
${stat('retrying', o.value.retrying, 'outbox-retrying')}
${stat('dead', o.value.dead, 'outbox-dead')}
${stat('blocked by dead', o.value.blockedByDead, 'outbox-blocked')}
</div>${
            o.value.dead > 0 && ctx.canAct
              ? html`<form class="inline" method="post" action="${base}/outbox/requeue-dead">${csrfField(ctx)}
<input name="destination" placeholder="destination (all)" aria-label="destination" maxlength="200">
<input name="groupKey" placeholder="group key (all)" aria-label="group key" maxlength="200">
<button type="submit">Requeue dead rows</button></form>`
              : ''
          }`
        : unavailable(o.error)
    }</section>`;
  }
  let deadlines: SafeHtml | string = '';
  if (data.deadlines !== undefined) {
    const d = data.deadlines;
    deadlines = html`<section class="card" data-testid="deadlines"><h2>Deadlines</h2>${
      d.ok
        ? html`<div class="stats">${stat('overdue', d.value.overdue, 'deadlines-overdue')}${stat(
            'oldest overdue',
            d.value.oldestOverdueAgeSeconds === null
              ? html`<span class="age age-ok">none</span>`
              : ageBadge(d.value.oldestOverdueAgeSeconds * 1000, 60_000),
            'deadlines-oldest',
          )}</div>`
        : unavailable(d.error)
    }</section>`;
  }
  return html`${data.flash ?? ''}<section class="card"><h2>Queues</h2>${queues}</section>${outbox}${deadlines}`;
}
