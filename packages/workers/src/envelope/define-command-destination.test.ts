import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkersConfigError } from '../errors.js';
import { defineCommand } from './define-command.js';

const base = { type: 'ChargeCard', version: 1, payload: z.object({}) } as const;

describe('defineCommand destination', () => {
  it('is kept on the definition, undefined when not given', () => {
    expect(defineCommand({ ...base, destination: 'checkout-payments' }).destination).toBe('checkout-payments');
    expect(defineCommand(base).destination).toBeUndefined();
    expect(Object.isFrozen(defineCommand({ ...base, destination: 'q' }))).toBe(true);
  });

  it('accepts 1-256 printable ASCII characters', () => {
    for (const destination of ['q', '!~', 'a'.repeat(256), 'checkout-commands.fifo', 'arn:aws:sqs:eu-west-1:1:q']) {
      expect(defineCommand({ ...base, destination }).destination).toBe(destination);
    }
  });

  it('refuses anything else with WorkersConfigError naming destination', () => {
    for (const destination of ['', ' ', 'a b', 'a'.repeat(257), 'é', 'q\n', '\u0000', 'tab\t', 'emoji😀', 'del\x7f']) {
      let caught: unknown;
      try {
        defineCommand({ ...base, destination });
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(destination)).toBeInstanceOf(WorkersConfigError);
      expect(caught).toMatchObject({ code: 'WORKERS_INVALID_CONFIG', field: 'destination' });
    }
    for (const destination of [null, 42, {}, ['q']]) {
      expect(() => defineCommand({ ...base, destination: destination as unknown as string })).toThrow(
        expect.objectContaining({ field: 'destination' }),
      );
    }
  });
});
