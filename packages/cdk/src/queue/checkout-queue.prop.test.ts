// Properties of the constructs' option checks over generated inputs: a queue name, a destination name
// and a visibility timeout are accepted exactly when the rule says so, and a refusal is a
// CheckoutCdkConfigError naming the option (fast-check prints a seed that replays a failure).
import { propertyRuns } from '@checkout/testing/vitest';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckoutCdkConfigError, CheckoutCdkError } from '../errors.js';
import { OutboxRelayFunction } from '../relay/outbox-relay-function.js';
import { CheckoutQueue } from './checkout-queue.js';

const stack = () => new Stack(new App(), 'Props');
/** Names near the rule: its own alphabet, characters next to it, and any code unit. */
const nameLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,72}$/),
  fc.string({ unit: fc.constantFrom('a', 'Z', '9', '_', '-', '.', ':', ' ', '\u0000', '\uD800', 'é'), maxLength: 72 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

function outcome(build: () => unknown): { ok: true } | { ok: false; error: unknown } {
  try {
    build();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('CheckoutQueue and OutboxRelayFunction options (properties)', () => {
  it('a queue name is accepted exactly when it matches [A-Za-z0-9_-]{1,70}; otherwise the error names queueName', () => {
    fc.assert(
      fc.property(nameLike, (queueName) => {
        const result = outcome(() => new CheckoutQueue(stack(), 'Q', { queueName }));
        const valid = /^[A-Za-z0-9_-]{1,70}$/.test(queueName);
        expect(result.ok).toBe(valid);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(CheckoutCdkConfigError);
          expect((result.error as CheckoutCdkConfigError).field).toBe('queueName');
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('a visibility timeout is accepted exactly when it is at least 6x the consumer timeout (and within SQS range)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 0, max: 50_000 }), (consumer, visibility) => {
        const result = outcome(
          () =>
            new CheckoutQueue(stack(), 'Q', {
              consumerTimeout: Duration.seconds(consumer),
              visibilityTimeout: Duration.seconds(visibility),
            }),
        );
        expect(result.ok).toBe(visibility >= 6 * consumer && visibility <= 43_200);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(CheckoutCdkError);
          expect((result.error as CheckoutCdkError).field).toBe('visibilityTimeout');
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });

  it('a relay destination name is accepted exactly when it matches [A-Za-z0-9_.-]{1,64}; the error names destinations[...]', () => {
    fc.assert(
      fc.property(nameLike, (name) => {
        const scope = stack();
        const queue = new CheckoutQueue(scope, 'Payment', { queueName: 'payment' });
        const result = outcome(
          () =>
            new OutboxRelayFunction(scope, 'Relay', {
              code: lambda.Code.fromInline('export const handler = async () => {};'),
              handler: 'index.handler',
              destinations: { [name]: queue },
              database: undefined as never,
              databaseUser: 'checkout_app',
            }),
        );
        if (/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
          // A valid name passes the name check; what fails after it (no database here) names another option.
          if (!result.ok) expect((result.error as CheckoutCdkError).field ?? '').not.toMatch(/^destinations/);
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(CheckoutCdkConfigError);
            expect((result.error as CheckoutCdkConfigError).field).toMatch(/^destinations/);
          }
        }
      }),
      { numRuns: propertyRuns(100) },
    );
  });
});
