import { describe, expect, it } from 'vitest';
import { InvalidMachineError } from '../errors.js';
import { defineMachine } from './define-machine.js';

type Loose = Parameters<typeof defineMachine>[0];
const build = (definition: unknown) => () => defineMachine(definition as Loose);

function invite(deadline: unknown, sent: Record<string, unknown> = {}) {
  return {
    id: 'invite',
    version: 1,
    initial: 'SENT',
    states: {
      SENT: { on: { accepted: 'ACCEPTED', expired: 'EXPIRED' }, deadline, ...sent },
      ACCEPTED: { terminal: true },
      EXPIRED: { terminal: true },
    },
  };
}

describe('defineMachine deadlines', () => {
  it('lists every deadline in definition order', () => {
    const machine = defineMachine({
      id: 'invite',
      version: 1,
      initial: 'SENT',
      states: {
        SENT: { on: { opened: 'OPENED', expired: 'EXPIRED' }, deadline: { afterSeconds: 60, event: 'expired' } },
        OPENED: { on: { expired: 'EXPIRED' }, deadline: { afterSeconds: 3600, event: 'expired' } },
        EXPIRED: { terminal: true },
      },
    });
    expect(machine.deadlines).toEqual([
      { state: 'SENT', afterSeconds: 60, event: 'expired' },
      { state: 'OPENED', afterSeconds: 3600, event: 'expired' },
    ]);
    expect(Object.isFrozen(machine.deadlines)).toBe(true);
  });

  it('is empty for a machine without deadlines', () => {
    const machine = defineMachine({ id: 'x', version: 1, initial: 'A', states: { A: { terminal: true } } });
    expect(machine.deadlines).toEqual([]);
  });

  it.each([
    [null, 'states.SENT.deadline'],
    ['60s', 'states.SENT.deadline'],
    [{ afterSeconds: 0, event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: 1.5, event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: -5, event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: Number.NaN, event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: 31_536_001, event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: '60', event: 'expired' }, 'states.SENT.deadline.afterSeconds'],
    [{ afterSeconds: 60, event: 'cancelled' }, 'states.SENT.deadline.event'],
    [{ afterSeconds: 60 }, 'states.SENT.deadline.event'],
    [{ afterSeconds: 60, event: 'toString' }, 'states.SENT.deadline.event'],
  ])('refuses deadline %j (field %s)', (deadline, field) => {
    expect(build(invite(deadline))).toThrow(expect.objectContaining({ code: 'STATE_MACHINE_INVALID_MACHINE', field }));
  });

  it('refuses a deadline event accepted only by another state', () => {
    const definition = {
      id: 'invite',
      version: 1,
      initial: 'SENT',
      states: {
        SENT: { on: { accepted: 'ACCEPTED' }, deadline: { afterSeconds: 60, event: 'expired' } },
        ACCEPTED: { on: { expired: 'SENT' } },
      },
    };
    expect(build(definition)).toThrow(InvalidMachineError);
  });

  it('refuses a deadline on a terminal state', () => {
    const definition = {
      id: 'invite',
      version: 1,
      initial: 'SENT',
      states: { SENT: { terminal: true, deadline: { afterSeconds: 60, event: 'expired' } } },
    };
    expect(build(definition)).toThrow(expect.objectContaining({ field: 'states.SENT.deadline.event' }));
  });

  it('refuses a deadline whose transition has a guard (nothing would retry a refusal)', () => {
    const definition = {
      id: 'invite',
      version: 1,
      initial: 'SENT',
      states: {
        SENT: {
          on: { expired: { target: 'EXPIRED', guard: 'late' } },
          deadline: { afterSeconds: 60, event: 'expired' },
        },
        EXPIRED: { terminal: true },
      },
      guards: { late: () => true },
    };
    expect(build(definition)).toThrow(expect.objectContaining({ field: 'states.SENT.deadline.event' }));
  });
});
