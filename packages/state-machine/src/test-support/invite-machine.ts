// Test-only: a small machine with chained deadlines, and a clock the tests move by hand.
import { defineMachine } from '../machine/define-machine.js';

/**
 * SENT --(60 s)--> REMINDED --(120 s)--> EXPIRED; `accepted` ends it before either deadline, `reopened`
 * goes back to SENT (a second entry of the state: a new deadline and a new event id).
 */
export const inviteMachine = defineMachine({
  id: 'invite',
  version: 1,
  initial: 'SENT',
  states: {
    SENT: {
      on: { accepted: 'ACCEPTED', reminded: 'REMINDED', expired: 'EXPIRED' },
      deadline: { afterSeconds: 60, event: 'reminded' },
    },
    REMINDED: { on: { accepted: 'ACCEPTED', expired: 'EXPIRED' }, deadline: { afterSeconds: 120, event: 'expired' } },
    ACCEPTED: { on: { reopened: 'SENT' } },
    EXPIRED: { terminal: true },
  },
});

/** A clock starting at a fixed instant; `advance(seconds)` moves it. */
export function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let time = start;
  return {
    now: () => time,
    advance(seconds: number) {
      time += seconds * 1000;
    },
  };
}
