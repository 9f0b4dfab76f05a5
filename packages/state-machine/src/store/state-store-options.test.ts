import { describe, expect, it } from 'vitest';
import { StateMachineConfigError, StateMachineInputError } from '../errors.js';
import { defineMachine } from '../machine/define-machine.js';
import { orderMachine } from '../order/order-machine.js';
import { createStateStore, type StateStoreOptions } from './state-store.js';

// Options a JavaScript caller (or a cast) can get wrong: refused when the store is created, before any SQL.
type Loose = StateStoreOptions<typeof orderMachine>;
const create = (options: unknown) => () => createStateStore(options as Loose);

describe('createStateStore options', () => {
  it.each([
    ['options', null],
    ['machine', { aggregateTable: 'orders' }],
    ['machine', { machine: { id: 'm' }, aggregateTable: 'orders' }],
    ['onTransition', { machine: orderMachine, aggregateTable: 'orders', onTransition: 'enqueue' }],
    ['aggregateTable', { machine: orderMachine }],
    ['aggregateTable', { machine: orderMachine, aggregateTable: 'orders table' }],
    ['schema', { machine: orderMachine, aggregateTable: 'orders', schema: 'a'.repeat(41) }],
    ['idColumn', { machine: orderMachine, aggregateTable: 'orders', idColumn: '0id' }],
    ['auditTable', { machine: orderMachine, aggregateTable: 'orders', auditTable: 'orders' }],
  ])('refuses a bad %s with StateMachineConfigError', (field, options) => {
    expect(create(options)).toThrowError(
      expect.objectContaining({
        constructor: StateMachineConfigError,
        code: 'STATE_MACHINE_INVALID_CONFIG',
        httpStatus: 500,
        field,
      }),
    );
  });

  it('refuses a machine version the integer column cannot hold', () => {
    const big = defineMachine({ id: 'big', version: 2 ** 31, initial: 'A', states: { A: {} } });
    expect(() => createStateStore({ machine: big, aggregateTable: 'bigs' })).toThrowError(
      expect.objectContaining({ constructor: StateMachineConfigError, field: 'machine.version' }),
    );
  });

  it('accepts names of either case up to 40 characters (core identifier rule)', () => {
    expect(() =>
      createStateStore({ machine: orderMachine, schema: 'Shop', aggregateTable: 'a'.repeat(40), idColumn: 'OrderId' }),
    ).not.toThrow();
  });

  it('reads take db first: the old get(id) order is refused naming db, before any SQL', async () => {
    const store = createStateStore({ machine: orderMachine, aggregateTable: 'orders' });
    const loose = store as unknown as {
      get(...args: unknown[]): Promise<unknown>;
      history(...args: unknown[]): Promise<unknown>;
    };
    await expect(loose.get('o-1')).rejects.toMatchObject({ constructor: StateMachineInputError, field: 'db' });
    await expect(loose.history('o-1')).rejects.toMatchObject({ constructor: StateMachineInputError, field: 'db' });
  });
});
