import type { DeadLetterMessage, RedriveResult } from '@checkout/workers';
import { clip, html, type SafeHtml } from '../html.js';
import { csrfField, type PageContext } from './layout.js';
import { timeAgo } from './relative-age.js';

/** The filter of the DLQ page (empty strings: no filter). */
export interface DeadLetterFilter {
  readonly reason: string;
  readonly type: string;
}

const BODY_CHARS = 4_000;

function filterForm(
  ctx: PageContext,
  queue: string,
  filter: DeadLetterFilter,
  reasons: readonly string[],
  types: readonly string[],
): SafeHtml {
  const base = ctx.basePath;
  const options = (values: readonly string[], selected: string) => [
    html`<option value="">all</option>`,
    ...values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${v}</option>`),
  ];
  return html`<form class="inline" method="get" action="${base}/queues/${encodeURIComponent(queue)}/dead-letters" data-testid="dlq-filter">
<label>reason <select name="reason">${options(reasons, filter.reason)}</select></label>
<label>type <select name="type">${options(types, filter.type)}</select></label>
<button type="submit" class="secondary">Filter</button></form>`;
}

/** The redrive form: dry-run first; `mode=redrive` only from a dry-run's result. */
export function redriveForm(
  ctx: PageContext,
  queue: string,
  filter: DeadLetterFilter,
  mode: 'dry-run' | 'redrive',
  label: string,
): SafeHtml | string {
  if (!ctx.canAct) return html`<p class="muted">Read-only: redrive needs an operator who may act.</p>`;
  return html`<form class="inline" method="post" action="${ctx.basePath}/queues/${encodeURIComponent(queue)}/dead-letters/redrive">${csrfField(ctx)}
<input type="hidden" name="reason" value="${filter.reason}"><input type="hidden" name="type" value="${filter.type}">
<input type="hidden" name="mode" value="${mode}">
<button type="submit" class="${mode === 'redrive' ? 'danger' : ''}" data-testid="${mode}">${label}</button></form>`;
}

/** The DLQ browser's body. */
export function deadLettersBody(
  ctx: PageContext,
  queue: string,
  messages: readonly DeadLetterMessage[],
  all: readonly DeadLetterMessage[],
  filter: DeadLetterFilter,
  max: number,
): SafeHtml {
  const reasons = [...new Set(all.map((m) => m.reason))].sort();
  const types = [...new Set(all.flatMap((m) => (m.type === undefined ? [] : [m.type])))].sort();
  const rows = messages.map(
    (m) => html`<tr data-message-id="${m.sqsMessageId}">
<td data-label="Reason"><span class="pill bad">${m.reason}</span></td>
<td data-label="Type">${m.type ?? html`<span class="muted">-</span>`}</td>
<td data-label="Order">${m.orderId === undefined ? html`<span class="muted">-</span>` : html`<a href="${ctx.basePath}/orders/${encodeURIComponent(m.orderId)}">${clip(m.orderId, 80)}</a>`}</td>
<td data-label="Error" class="dlq-error">${clip(m.error, 300)}</td>
<td data-label="Receives" class="num">${m.receiveCount}</td>
<td data-label="Parked">${timeAgo(m.deadLetteredAt, ctx.now)}</td>
<td data-label="Body"><details><summary>body</summary><pre class="dlq-body">${clip(m.body, BODY_CHARS)}</pre></details></td>
</tr>`,
  );
  const table =
    messages.length === 0
      ? html`<p class="muted" data-testid="dlq-empty">No messages${filter.reason || filter.type ? ' match the filter' : ''}.</p>`
      : html`<div class="table-wrap"><table class="responsive" data-testid="dlq-messages"><thead><tr><th>Reason</th><th>Type</th><th>Order</th><th>Error</th><th class="num">Receives</th><th>Parked</th><th>Body</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return html`<section class="card">${filterForm(ctx, queue, filter, reasons, types)}
<p class="muted">${messages.length} of ${all.length} message(s) listed${all.length >= max ? html` (the first ${max})` : ''}. Listing hands each message back at once but adds one to its receive count.</p>
${table}
${messages.length > 0 ? redriveForm(ctx, queue, filter, 'dry-run', 'Dry-run redrive') : ''}
</section>`;
}

/** The result of a dry-run or a redrive. */
export function redriveResultBody(
  ctx: PageContext,
  queue: string,
  filter: DeadLetterFilter,
  result: RedriveResult,
): SafeHtml {
  const rows = result.messages.map(
    (m) =>
      html`<tr><td data-label="Message" class="mono">${m.sqsMessageId}</td><td data-label="Type">${m.type ?? '-'}</td><td data-label="Reason">${m.reason}</td><td data-label="Action"><span class="pill">${m.action}</span></td></tr>`,
  );
  const summary = result.dryRun
    ? html`<div class="flash" data-testid="redrive-summary">Dry run: ${result.matched} of ${result.scanned} message(s) would move back to <strong>${queue}</strong>. Nothing moved yet.</div>`
    : html`<div class="flash" data-testid="redrive-summary">Redrive: ${result.moved} moved to <strong>${queue}</strong>, ${result.skipped} skipped, ${result.failed} failed, ${result.duplicated} duplicated.</div>`;
  const filterText =
    [filter.reason ? `reason ${filter.reason}` : '', filter.type ? `type ${filter.type}` : '']
      .filter(Boolean)
      .join(', ') || 'no filter';
  return html`${summary}<section class="card"><p class="muted">Filter: ${filterText}</p>
${rows.length > 0 ? html`<div class="table-wrap"><table class="responsive" data-testid="redrive-messages"><thead><tr><th>Message</th><th>Type</th><th>Reason</th><th>Action</th></tr></thead><tbody>${rows}</tbody></table></div>` : ''}
${result.dryRun && result.matched > 0 ? redriveForm(ctx, queue, filter, 'redrive', `Redrive ${result.matched} message(s)`) : ''}
<p><a href="${ctx.basePath}/queues/${encodeURIComponent(queue)}/dead-letters">Back to the DLQ</a></p></section>`;
}
