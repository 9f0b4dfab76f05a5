import type { AnyMachine } from '../machine/types.js';

/**
 * Renders a machine as a Mermaid `stateDiagram-v2`: the initial state, one arrow per transition labelled
 * with its event (and `[guard]` when it has one, or `after N s` when a state's deadline fires it) and an
 * arrow to the end for each terminal state. Deterministic (definition order), so a committed diagram can
 * be compared with a fresh render to catch a stale README.
 */
export function toMermaid(machine: AnyMachine): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${machine.initial}`];
  for (const edge of machine.transitions) {
    const guard = edge.guard === undefined ? '' : ` [${edge.guard}]`;
    const deadline = machine.deadlines.find((d) => d.state === edge.from && d.event === edge.event);
    const timer = deadline === undefined ? '' : ` after ${deadline.afterSeconds} s`;
    lines.push(`  ${edge.from} --> ${edge.to} : ${edge.event}${guard}${timer}`);
  }
  for (const state of machine.terminalStates) lines.push(`  ${state} --> [*]`);
  return `${lines.join('\n')}\n`;
}
