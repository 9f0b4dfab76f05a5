import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkersConfigError } from '../errors.js';
import { handleCommand } from '../processing/command-route.js';
import { commandsByDestination } from './commands-by-destination.js';
import { defineCommand } from './define-command.js';

const payload = z.object({});
const charge = defineCommand({ type: 'ChargeCard', version: 1, payload, destination: 'payments' });
const refund = defineCommand({ type: 'Refund', version: 1, payload, destination: 'payments' });
const receipt = defineCommand({ type: 'SendReceipt', version: 1, payload, destination: 'emails' });
const local = defineCommand({ type: 'Local', version: 1, payload });

describe('commandsByDestination', () => {
  it('groups commands by destination, in the order given, each once', () => {
    const map = commandsByDestination([charge, receipt, refund, charge]);
    expect([...map.keys()]).toEqual(['payments', 'emails']);
    expect(map.get('payments')).toEqual([charge, refund]);
    expect(map.get('emails')).toEqual([receipt]);
  });

  it('takes the routes of a handler', () => {
    const routes = [handleCommand(charge, () => {}), handleCommand(receipt, () => {})];
    expect([...commandsByDestination(routes).keys()]).toEqual(['payments', 'emails']);
    expect(routes[0]?.command.destination).toBe('payments');
  });

  it('refuses a command without destination, naming its index', () => {
    let caught: unknown;
    try {
      commandsByDestination([charge, local]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorkersConfigError);
    expect(caught).toMatchObject({ field: 'commands[1].destination' });
    expect((caught as Error).message).toContain('Local');
  });

  it('an empty list is an empty map', () => {
    expect(commandsByDestination([]).size).toBe(0);
  });
});
