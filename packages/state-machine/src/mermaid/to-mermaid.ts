import type { AnyMachine } from '../machine/types.js';

/**
 * Renders a machine as a Mermaid `stateDiagram-v2`: the initial state, one arrow per transition labelled
 * with its event (and `[guard]` when it has one) and an arrow to the end for each
 * terminal state. Deterministic (definition order), so a committed diagram can be compared with a fresh
 * render to catch a stale README.
 */
export function toMermaid(machine: AnyMachine): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${machine.initial}`];
  for (const edge of machine.transitions) {
    const guard = edge.guard === undefined ? '' : ` [${edge.guard}]`;
    lines.push(`  ${edge.from} --> ${edge.to} : ${edge.event}${guard}`);
  }
  for (const state of machine.terminalStates) lines.push(`  ${state} --> [*]`);
  return `${lines.join('\n')}\n`;
}
