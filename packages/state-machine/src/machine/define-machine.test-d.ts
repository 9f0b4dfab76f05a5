// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { expectTypeOf } from 'vitest';
import { orderMachine } from '../order/order-machine.js';
import { defineMachine } from './define-machine.js';
import { transition } from './transition.js';
import type { EventOf, StateOf, TerminalStateOf } from './types.js';

const door = defineMachine({
  id: 'door',
  version: 1,
  initial: 'CLOSED',
  states: {
    CLOSED: { on: { open: 'OPEN', lock: { target: 'LOCKED', guard: 'hasKey' } } },
    OPEN: { on: { close: 'CLOSED' } },
    LOCKED: { terminal: true },
  },
  guards: {
    hasKey: ({ payload, from, event }) => {
      expectTypeOf(from).toEqualTypeOf<'CLOSED' | 'OPEN' | 'LOCKED'>();
      expectTypeOf(event).toEqualTypeOf<'open' | 'lock' | 'close'>();
      return payload === 'key';
    },
  },
});

expectTypeOf<StateOf<typeof door>>().toEqualTypeOf<'CLOSED' | 'OPEN' | 'LOCKED'>();
expectTypeOf<EventOf<typeof door>>().toEqualTypeOf<'open' | 'lock' | 'close'>();
expectTypeOf<TerminalStateOf<typeof door>>().toEqualTypeOf<'LOCKED'>();
expectTypeOf(transition(door, 'CLOSED', 'open')).toEqualTypeOf<'CLOSED' | 'OPEN' | 'LOCKED'>();
expectTypeOf<TerminalStateOf<typeof orderMachine>>().toEqualTypeOf<'COMPLETED' | 'PAYMENT_DECLINED' | 'CANCELLED'>();

// @ts-expect-error unknown state
transition(door, 'AJAR', 'open');
// @ts-expect-error unknown event
transition(door, 'CLOSED', 'kick');
// @ts-expect-error event of another machine
transition(orderMachine, 'PENDING_PAYMENT', 'open');

defineMachine({
  id: 'bad-target',
  version: 1,
  initial: 'A',
  // @ts-expect-error target is not a state
  states: { A: { on: { go: 'Z' } } },
});

defineMachine({
  id: 'bad-full-target',
  version: 1,
  initial: 'A',
  states: {
    A: {
      on: {
        // @ts-expect-error target in a full transition is not a state
        go: { target: 'Z' },
      },
    },
  },
});

defineMachine({
  id: 'bad-initial',
  version: 1,
  // @ts-expect-error initial is not a state
  initial: 'Z',
  states: { A: {} },
});

defineMachine({
  id: 'missing-guard',
  version: 1,
  initial: 'A',
  states: { A: { on: { go: { target: 'A', guard: 'isReady' } } } },
  // @ts-expect-error guard implementation missing
  guards: { other: () => true },
});

// @ts-expect-error guards required when a transition names one
defineMachine({
  id: 'no-guards',
  version: 1,
  initial: 'A',
  states: { A: { on: { go: { target: 'A', guard: 'isReady' } } } },
});
