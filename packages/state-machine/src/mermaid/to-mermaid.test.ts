import { describe, expect, it } from 'vitest';
import { defineMachine } from '../machine/define-machine.js';
import { toMermaid } from './to-mermaid.js';

describe('toMermaid', () => {
  it('renders the initial state, every transition with its event and guard, and the terminal states', () => {
    const machine = defineMachine({
      id: 'door',
      version: 1,
      initial: 'CLOSED',
      states: {
        CLOSED: { on: { open: 'OPEN', lock: { target: 'LOCKED', guard: 'hasKey' } } },
        OPEN: { on: { close: 'CLOSED' } },
        LOCKED: { terminal: true },
      },
      guards: { hasKey: ({ payload }) => payload === 'key' },
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> CLOSED',
        '  CLOSED --> OPEN : open',
        '  CLOSED --> LOCKED : lock [hasKey]',
        '  OPEN --> CLOSED : close',
        '  LOCKED --> [*]',
        '',
      ].join('\n'),
    );
  });

  it("labels the transition a deadline fires with its delay, and only that state's", () => {
    const machine = defineMachine({
      id: 'invite',
      version: 1,
      initial: 'SENT',
      states: {
        SENT: { on: { accept: 'ACCEPTED', expire: 'EXPIRED' }, deadline: { afterSeconds: 3600, event: 'expire' } },
        ACCEPTED: { on: { expire: 'EXPIRED' } },
        EXPIRED: { terminal: true },
      },
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> SENT',
        '  SENT --> ACCEPTED : accept',
        '  SENT --> EXPIRED : expire after 3600 s',
        '  ACCEPTED --> EXPIRED : expire',
        '  EXPIRED --> [*]',
        '',
      ].join('\n'),
    );
  });
});
