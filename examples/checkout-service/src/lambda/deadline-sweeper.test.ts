import { describe, expect, it } from 'vitest';
import { DEADLINE_SWEEPER_ENVIRONMENT, deadlineMetricLine, readDeadlineSweeperConfig } from './deadline-sweeper.js';

const env = {
  CHECKOUT_DB_HOST: 'proxy.example',
  CHECKOUT_DB_PORT: '5432',
  CHECKOUT_DB_NAME: 'checkout',
  CHECKOUT_DB_USER: 'checkout_app',
  CHECKOUT_DB_AUTH: 'iam',
  DEADLINE_SWEEPER_RUN_FOR_MS: '50000',
  DEADLINE_METRIC_NAMESPACE: 'CheckoutKit/StateMachine',
  DEADLINE_METRIC_SERVICE: 'checkout',
};

describe('deadline sweeper Lambda configuration', () => {
  it('reads what the construct sets', () => {
    expect(readDeadlineSweeperConfig({ ...env, ORDER_PENDING_PAYMENT_SECONDS: '120' })).toMatchObject({
      db: { host: 'proxy.example', port: 5432, database: 'checkout', user: 'checkout_app' },
      schema: 'checkout',
      runForMs: 50_000,
      deadlines: { pendingPaymentSeconds: 120 },
    });
  });

  it.each(DEADLINE_SWEEPER_ENVIRONMENT)('fails naming %s when it is missing', (name) => {
    const partial: Record<string, string | undefined> = { ...env, [name]: undefined };
    expect(() => readDeadlineSweeperConfig(partial)).toThrow(name);
  });

  it('refuses a run budget that is not a positive integer', () => {
    expect(() => readDeadlineSweeperConfig({ ...env, DEADLINE_SWEEPER_RUN_FOR_MS: 'soon' })).toThrow(
      'DEADLINE_SWEEPER_RUN_FOR_MS',
    );
  });

  it('reports the oldest overdue age as an EMF line (0 when none is overdue)', () => {
    const line = JSON.parse(
      deadlineMetricLine(
        { metricNamespace: 'CheckoutKit/StateMachine', metricService: 'checkout' },
        { overdue: 0, oldestOverdueAgeSeconds: null },
        1,
      ),
    );
    expect(line).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'CheckoutKit/StateMachine', Dimensions: [['Service']] }] },
      Service: 'checkout',
      OldestOverdueDeadlineAgeSeconds: 0,
      OverdueDeadlines: 0,
    });
  });
});
