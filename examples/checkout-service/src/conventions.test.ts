// The packages composed side by side keep one vocabulary (docs/conventions.md): one identifier rule
// for every Postgres component, one error shape that core's toHttpResponse maps.
import { identifierProblem, isCheckoutError, MAX_IDENTIFIER_LENGTH, toHttpResponse } from '@checkout/core';
import { IdempotencyInProgressError } from '@checkout/idempotency';
import { createKyselyIdempotencyStore } from '@checkout/idempotency/kysely';
import { InventoryInputError } from '@checkout/inventory';
import { createOutbox, OutboxInputError } from '@checkout/outbox';
import { createStateStore, NotFoundError, orderMachine } from '@checkout/state-machine';
import { InvalidPayloadError } from '@checkout/workers';
import { describe, expect, it } from 'vitest';

const components: Record<string, (name: string) => unknown> = {
  'outbox schema': (name) => createOutbox({ schema: name }),
  'outbox table': (name) => createOutbox({ table: name }),
  'idempotency schema': (name) => createKyselyIdempotencyStore({ schema: name }),
  'idempotency table': (name) => createKyselyIdempotencyStore({ table: name }),
  'state store schema': (name) => createStateStore({ machine: orderMachine, schema: name, aggregateTable: 'orders' }),
  'state store aggregate table': (name) => createStateStore({ machine: orderMachine, aggregateTable: name }),
  'state store audit table': (name) =>
    createStateStore({ machine: orderMachine, aggregateTable: 'orders', auditTable: name }),
};

const names = [
  'checkout',
  'Checkout',
  '_private',
  'a'.repeat(MAX_IDENTIFIER_LENGTH),
  'a'.repeat(MAX_IDENTIFIER_LENGTH + 1),
  '1orders',
  'orders-2',
  'orders"; DROP TABLE x; --',
  'ordérs',
  '',
];

describe('one identifier rule', () => {
  for (const [component, create] of Object.entries(components)) {
    it(`${component} accepts exactly the names core's rule accepts, and refuses the others with a typed error naming the option`, () => {
      for (const name of names) {
        if (identifierProblem(name) === undefined) {
          expect(() => create(name), `${component} ${JSON.stringify(name)}`).not.toThrow();
        } else {
          let thrown: unknown;
          try {
            create(name);
          } catch (error) {
            thrown = error;
          }
          expect(isCheckoutError(thrown), `${component} ${JSON.stringify(name)}`).toBe(true);
          if (isCheckoutError(thrown)) expect(thrown.code).toMatch(/_INVALID_CONFIG$/);
        }
      }
    });
  }
});

describe('one error shape', () => {
  it('every package error is a CheckoutError with a prefixed code that toHttpResponse maps', () => {
    const errors = [
      [new OutboxInputError('messages[0].body', 'bad'), 'OUTBOX_', 400],
      [new IdempotencyInProgressError(2), 'IDEMPOTENCY_', 409],
      [new NotFoundError('order-1'), 'STATE_MACHINE_', 404],
      [new InvalidPayloadError('payload.lines[2].quantity', 'too small'), 'WORKERS_', 400],
      [new InventoryInputError('lines[2].quantity', 'must be positive'), 'INVENTORY_', 400],
    ] as const;
    for (const [error, prefix, status] of errors) {
      expect(isCheckoutError(error)).toBe(true);
      expect(error.code.startsWith(prefix)).toBe(true);
      const answer = toHttpResponse(error);
      expect(answer?.status).toBe(status);
      expect((JSON.parse(answer?.body ?? '{}') as { error: { code: string } }).error.code).toBe(error.code);
    }
    expect(toHttpResponse(new IdempotencyInProgressError(2))?.headers['Retry-After']).toBe('2');
  });
});
