// The README's state diagram is generated from `orderMachine`. `renderReadmeDiagram` puts a fresh render
// between the markers; the test in src/readme-diagram.test.ts fails when the committed README differs.

import { toMermaid } from '../src/mermaid/to-mermaid.js';
import { orderMachine } from '../src/order/order-machine.js';

export const DIAGRAM_START =
  '<!-- order-machine-diagram:start (generated: pnpm --filter @checkout/state-machine diagram) -->';
export const DIAGRAM_END = '<!-- order-machine-diagram:end -->';

/** The README text with the block between the markers replaced by the current diagram of `orderMachine`. */
export function renderReadmeDiagram(readme: string): string {
  const start = readme.indexOf(DIAGRAM_START);
  const end = readme.indexOf(DIAGRAM_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs the markers ${DIAGRAM_START} and ${DIAGRAM_END}`);
  }
  const block = `${DIAGRAM_START}\n\`\`\`mermaid\n${toMermaid(orderMachine)}\`\`\`\n`;
  return readme.slice(0, start) + block + readme.slice(end);
}
