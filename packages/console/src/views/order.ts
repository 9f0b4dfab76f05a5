import type { AnyMachine, AuditEntry, Snapshot } from '@checkout/state-machine';
import { clip, html, type SafeHtml } from '../html.js';
import type { ConsoleFacts } from '../options.js';
import { csrfField, type PageContext } from './layout.js';
import type { Loaded } from './overview.js';
import { timeAgo } from './relative-age.js';
import { stateDiagram } from './state-diagram.js';

/** Everything the order page shows. */
export interface OrderData {
  readonly id: string;
  readonly machine: AnyMachine;
  /** The snapshot, or why it could not be read (an unknown stored state, say). */
  readonly snapshot: Loaded<Snapshot>;
  readonly history: readonly AuditEntry[];
  readonly paymentIntent: Loaded<ConsoleFacts | undefined> | undefined;
  readonly reservation: Loaded<ConsoleFacts | undefined> | undefined;
  readonly flash?: SafeHtml;
}

function factValue(value: ConsoleFacts[string]): string {
  if (value === null) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function factsPanel(
  title: string,
  testId: string,
  loaded: Loaded<ConsoleFacts | undefined> | undefined,
): SafeHtml | string {
  if (loaded === undefined) return '';
  let content: SafeHtml;
  if (!loaded.ok) content = html`<span class="pill bad" title="${loaded.error}">unavailable</span>`;
  else if (loaded.value === undefined) content = html`<p class="muted">none</p>`;
  else
    content = html`<table><tbody>${Object.entries(loaded.value).map(
      ([key, value]) => html`<tr><th>${key}</th><td>${clip(factValue(value), 500)}</td></tr>`,
    )}</tbody></table>`;
  return html`<section class="card" data-testid="${testId}"><h2>${title}</h2>${content}</section>`;
}

function payloadText(entry: AuditEntry): string {
  return entry.payload === null ? '' : clip(JSON.stringify(entry.payload), 2_000);
}

/** The order page's body. */
export function orderBody(ctx: PageContext, data: OrderData): SafeHtml {
  const snapshot = data.snapshot.ok ? data.snapshot.value : undefined;
  const lastEntry = data.history.at(-1);
  const current = snapshot?.state ?? lastEntry?.to ?? '';
  const visited = new Set(data.history.map((e) => e.to));
  const taken = new Set(data.history.filter((e) => e.from !== null).map((e) => `${e.from}>${e.to}`));
  const summary = html`<section class="card" data-testid="order-summary"><div class="stats">
<div class="stat"><div class="label">state</div><div class="value" data-testid="order-state">${current || '?'}</div></div>
<div class="stat"><div class="label">version</div><div class="value" data-testid="order-version">${snapshot?.version ?? lastEntry?.version ?? '?'}</div></div>
<div class="stat"><div class="label">updated</div><div class="value">${timeAgo(snapshot?.updatedAt ?? lastEntry?.at, ctx.now)}</div></div>
<div class="stat"><div class="label">created</div><div class="value">${timeAgo(snapshot?.createdAt ?? data.history[0]?.at, ctx.now)}</div></div>
</div>${data.snapshot.ok ? '' : html`<p class="flash error">${data.snapshot.error}</p>`}</section>`;
  const timeline = html`<section class="card"><h2>Audit timeline</h2><ol class="timeline" data-testid="timeline">${data.history.map(
    (e) => html`<li class="${e.kind}" data-version="${e.version}">
<span class="when">${timeAgo(e.at, ctx.now)}</span>
<strong>v${e.version}</strong> <span class="pill">${e.kind}</span>
${e.from === null ? '' : html`<span class="mono">${e.from}</span> → `}<span class="mono">${e.to}</span>
${e.event === null ? '' : html` on <span class="mono">${e.event}</span>`}
<div class="muted">by <span class="actor">${e.actor}</span>${e.reason === null ? '' : html` · reason: <span class="reason">${clip(e.reason, 1_000)}</span>`} · event id <span class="mono">${clip(e.eventId, 120)}</span></div>
${e.payload === null ? '' : html`<details><summary>payload</summary><pre>${payloadText(e)}</pre></details>`}
</li>`,
  )}</ol></section>`;
  const states: readonly string[] = data.machine.states;
  const force = ctx.canAct
    ? html`<section class="card"><h2>Repair: force the state</h2>
<p class="muted">Moves the order to any state without an event, recorded in the audit timeline with you (${ctx.operator?.id ?? ''}) as the actor and your reason. Workers' late commands then see the new state.</p>
<form class="stack" method="post" action="${ctx.basePath}/orders/${encodeURIComponent(data.id)}/force" data-testid="force-form">${csrfField(ctx)}
<input type="hidden" name="expectedVersion" value="${snapshot?.version ?? ''}">
<label>to state <select name="to" required>${states.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
<label>reason (required) <textarea name="reason" required maxlength="1000" rows="2"></textarea></label>
<button type="submit" class="danger">Force</button></form></section>`
    : '';
  return html`${data.flash ?? ''}${summary}
<section class="card"><h2>State diagram</h2>${stateDiagram(data.machine, current, visited, taken)}</section>
${factsPanel('Payment intent', 'payment-intent', data.paymentIntent)}
${factsPanel('Inventory reservation', 'reservation', data.reservation)}
${timeline}${force}`;
}
