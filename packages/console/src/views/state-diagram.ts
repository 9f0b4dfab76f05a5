import type { AnyMachine } from '@checkout/state-machine';
import { html, type SafeHtml } from '../html.js';

const BOX_W = 168;
const BOX_H = 30;
const COL_GAP = 56;
const ROW_GAP = 22;
const PAD = 12;

/**
 * The machine as an SVG drawn on the server: states in columns by their distance from the initial
 * state, every transition an arrow. `current` is filled, states the order visited are tinted, the
 * transitions it took are dark and the ones it may take next are highlighted. No script, no
 * inline style: classes only (the CSP forbids style attributes).
 */
export function stateDiagram(
  machine: AnyMachine,
  current: string,
  visited: ReadonlySet<string>,
  taken: ReadonlySet<string>,
): SafeHtml {
  const states: readonly string[] = machine.states;
  const depth = new Map<string, number>([[machine.initial, 0]]);
  const queue = [machine.initial as string];
  while (queue.length > 0) {
    const from = queue.shift() as string;
    for (const edge of machine.transitions) {
      if (edge.from === from && !depth.has(edge.to)) {
        depth.set(edge.to, (depth.get(from) ?? 0) + 1);
        queue.push(edge.to);
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  for (const state of states) if (!depth.has(state)) depth.set(state, maxDepth + 1);
  const columns = new Map<number, string[]>();
  for (const state of states) {
    const d = depth.get(state) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), state]);
  }
  const position = new Map<string, { x: number; y: number }>();
  let rows = 0;
  for (const [d, column] of columns) {
    rows = Math.max(rows, column.length);
    column.forEach((state, i) => {
      position.set(state, { x: PAD + d * (BOX_W + COL_GAP), y: PAD + i * (BOX_H + ROW_GAP) });
    });
  }
  const width = PAD * 2 + (Math.max(...columns.keys()) + 1) * (BOX_W + COL_GAP) - COL_GAP;
  const height = PAD * 2 + rows * (BOX_H + ROW_GAP) - ROW_GAP;
  const terminal = new Set<string>(machine.terminalStates);
  const edges = machine.transitions.map((edge) => {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (a === undefined || b === undefined) return '';
    const forward = b.x > a.x;
    const x1 = forward ? a.x + BOX_W : a.x + BOX_W / 2;
    const y1 = forward ? a.y + BOX_H / 2 : a.y + BOX_H;
    const x2 = forward ? b.x : b.x + BOX_W / 2;
    const y2 = forward ? b.y + BOX_H / 2 : b.y;
    const kind = taken.has(`${edge.from}>${edge.to}`) ? ' taken' : edge.from === current ? ' next' : '';
    return html`<path class="edge${kind}" d="M${x1} ${y1} C ${x1 + 24} ${y1}, ${x2 - 24} ${y2}, ${x2} ${y2}" marker-end="url(#arrow)"><title>${edge.from} → ${edge.to} : ${edge.event}</title></path>`;
  });
  const nodes = states.map((state) => {
    const p = position.get(state) ?? { x: 0, y: 0 };
    const classes = [
      'node',
      terminal.has(state) ? 'terminal' : '',
      state === current ? 'current' : visited.has(state) ? 'visited' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return html`<g class="${classes}" data-state="${state}"><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"></rect><text x="${p.x + BOX_W / 2}" y="${p.y + BOX_H / 2}">${state}</text></g>`;
  });
  return html`<div class="diagram"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="state diagram of ${machine.id}, current state ${current}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>
${edges}${nodes}</svg></div>`;
}
