// Type tests: compiled by `pnpm typecheck` (tsc over src/), not run. Every `@ts-expect-error` below must
// stay an error, or the compile fails.

import { expectTypeOf } from 'vitest';
import { defineMachine } from './define-machine.js';
import type { EventOf, MachineDeadline, StateOf } from './types.js';

const invite = defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    SENT: { on: { accepted: 'ACCEPTED', expired: 'EXPIRED' }, deadline: { afterSeconds: 3600, event: 'expired' } },
    ACCEPTED: { terminal: true },
    EXPIRED: { terminal: true },
  },
});
expectTypeOf(invite.deadlines).toEqualTypeOf<
  readonly MachineDeadline<StateOf<typeof invite>, EventOf<typeof invite>>[]
>();
expectTypeOf<StateOf<typeof invite>>().toEqualTypeOf<'SENT' | 'ACCEPTED' | 'EXPIRED'>();
expectTypeOf<EventOf<typeof invite>>().toEqualTypeOf<'accepted' | 'expired'>();

defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    // @ts-expect-error the deadline's event must be one SENT accepts
    SENT: { on: { accepted: 'ACCEPTED' }, deadline: { afterSeconds: 60, event: 'expired' } },
    ACCEPTED: { on: { expired: 'SENT' } },
  },
});

defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    // @ts-expect-error afterSeconds is a number
    SENT: { on: { accepted: 'ACCEPTED' }, deadline: { afterSeconds: '60', event: 'accepted' } },
    ACCEPTED: { terminal: true },
  },
});

defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    // @ts-expect-error a terminal state accepts no event, so it has no deadline event either
    SENT: { terminal: true, deadline: { afterSeconds: 60, event: 'accepted' } },
  },
});
