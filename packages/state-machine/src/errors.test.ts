import { CheckoutError, isCheckoutError, toHttpResponse } from '@checkout/core';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  EventIdReusedError,
  InvalidMachineError,
  InvalidTransitionError,
  NotFoundError,
  StateMachineConfigError,
  StateMachineError,
  StateMachineInputError,
  UnknownStateError,
  VersionConflictError,
} from './errors.js';

const all: readonly [StateMachineError, number][] = [
  [new InvalidMachineError('states.A', 'bad'), 500],
  [new StateMachineConfigError('schema', 'bad'), 500],
  [new StateMachineInputError('payload.lines[2].sku', 'bad'), 400],
  [
    new InvalidTransitionError({
      machineId: 'order',
      from: 'COMPLETED',
      event: 'payment.authorized',
      allowedEvents: [],
      reason: 'terminal-state',
    }),
    409,
  ],
  [new VersionConflictError('o-1', 1, 2), 409],
  [new NotFoundError('o-1'), 404],
  [new AlreadyExistsError('o-1'), 409],
  [new EventIdReusedError('o-1', 'e-1', 'create', 'event payment.authorized'), 422],
  [new UnknownStateError('o-1', 'LEGACY', 'order', 1), 500],
];

describe('StateMachineError', () => {
  it.each(all)('%s is a CheckoutError with a STATE_MACHINE_ code and an httpStatus', (error, status) => {
    expect(error).toBeInstanceOf(StateMachineError);
    expect(error).toBeInstanceOf(CheckoutError);
    expect(isCheckoutError(error)).toBe(true);
    expect(error.code).toMatch(/^STATE_MACHINE_[A-Z_]+$/);
    expect(error.httpStatus).toBe(status);
    expect(error.name).toBe(error.constructor.name);
  });

  it('maps through core toHttpResponse: 4xx with code and field, 5xx hidden', () => {
    const input = toHttpResponse(new StateMachineInputError('payload.lines[2].sku', 'must be a string'));
    expect(input?.status).toBe(400);
    expect(JSON.parse(input?.body ?? '')).toEqual({
      error: {
        code: 'STATE_MACHINE_INVALID_INPUT',
        message: 'payload.lines[2].sku: must be a string',
        field: 'payload.lines[2].sku',
      },
    });
    const conflict = toHttpResponse(new VersionConflictError('o-1', 1, 2));
    expect(conflict?.status).toBe(409);
    expect(JSON.parse(conflict?.body ?? '')).toMatchObject({ error: { code: 'STATE_MACHINE_VERSION_CONFLICT' } });
    const config = toHttpResponse(new StateMachineConfigError('schema', 'secret detail'));
    expect(config?.status).toBe(500);
    expect(config?.body).not.toContain('secret detail');
  });
});
