import { describe, expect, it } from 'vitest';
import { InvalidMachineError } from '../errors.js';
import { defineMachine } from './define-machine.js';

// Bad definitions that only a JavaScript caller (or a cast) can produce: the run-time check names the field.
type Loose = Parameters<typeof defineMachine>[0];
const build = (definition: unknown) => () => defineMachine(definition as Loose);

describe('defineMachine', () => {
  it('normalizes states, events, terminal states and transitions in definition order', () => {
    const machine = defineMachine({
      id: 'ticket',
      version: 3,
      initial: 'OPEN',
      states: {
        OPEN: { on: { close: 'CLOSED', hold: { target: 'ON_HOLD', description: 'waiting for the customer' } } },
        ON_HOLD: { on: { close: 'CLOSED' } },
        CLOSED: { terminal: true },
      },
    });
    expect(machine.states).toEqual(['OPEN', 'ON_HOLD', 'CLOSED']);
    expect(machine.events).toEqual(['close', 'hold']);
    expect(machine.terminalStates).toEqual(['CLOSED']);
    expect(machine.transitions).toEqual([
      { from: 'OPEN', event: 'close', to: 'CLOSED' },
      { from: 'OPEN', event: 'hold', to: 'ON_HOLD', description: 'waiting for the customer' },
      { from: 'ON_HOLD', event: 'close', to: 'CLOSED' },
    ]);
    expect(machine.version).toBe(3);
  });

  it.each([
    ['id', { id: 'Bad Id', version: 1, initial: 'A', states: { A: {} } }],
    ['version', { id: 'm', version: 0, initial: 'A', states: { A: {} } }],
    ['version', { id: 'm', version: 1.5, initial: 'A', states: { A: {} } }],
    ['states', { id: 'm', version: 1, initial: 'A', states: {} }],
    ['initial', { id: 'm', version: 1, initial: 'B', states: { A: {} } }],
    ['states.A.on.go', { id: 'm', version: 1, initial: 'A', states: { A: { on: { go: 'Z' } } } }],
    ['states.A.on', { id: 'm', version: 1, initial: 'A', states: { A: { terminal: true, on: { go: 'A' } } } }],
    ['guards.g', { id: 'm', version: 1, initial: 'A', states: { A: { on: { go: { target: 'A', guard: 'g' } } } } }],
    [
      'guards.toString',
      { id: 'm', version: 1, initial: 'A', states: { A: { on: { go: { target: 'A', guard: 'toString' } } } } },
    ],
    ['guards.unused', { id: 'm', version: 1, initial: 'A', states: { A: {} }, guards: { unused: () => true } }],
    ['states["bad state"]', { id: 'm', version: 1, initial: 'A', states: { A: {}, 'bad state': {} } }],
    ['states.A.on["bad event"]', { id: 'm', version: 1, initial: 'A', states: { A: { on: { 'bad event': 'A' } } } }],
    ['states.A.on["go.now"]', { id: 'm', version: 1, initial: 'A', states: { A: { on: { 'go.now': 'Z' } } } }],
  ])('rejects a bad %s', (field, definition) => {
    expect(build(definition)).toThrowError(
      expect.objectContaining({ constructor: InvalidMachineError, field, code: 'STATE_MACHINE_INVALID_MACHINE' }),
    );
  });
});
