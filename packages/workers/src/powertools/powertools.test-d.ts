import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { OutboxRelayOptions } from '@checkout/outbox';
import { describe, expectTypeOf, it } from 'vitest';
import type { SqsConsumerOptions } from '../consumer/sqs-consumer.js';
import type { SqsBatchHandlerOptions } from '../lambda/sqs-batch-handler.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import {
  createPowertoolsMetrics,
  createPowertoolsObserver,
  type PowertoolsLoggerLike,
  type PowertoolsMetricsLike,
  type PowertoolsObserver,
} from './index.js';

describe('Powertools adapters types', () => {
  it('take real Powertools Logger and Metrics instances', () => {
    expectTypeOf<Logger>().toExtend<PowertoolsLoggerLike>();
    expectTypeOf<Metrics>().toExtend<PowertoolsMetricsLike>();
    expectTypeOf(createPowertoolsMetrics(new Metrics())).toEqualTypeOf<WorkerMetrics>();
    expectTypeOf(createPowertoolsObserver(new Logger())).toEqualTypeOf<PowertoolsObserver>();
  });

  it('fit the observer options of the batch handler, the consumer and the outbox relay', () => {
    expectTypeOf<PowertoolsObserver>().toExtend<NonNullable<SqsBatchHandlerOptions['observer']>>();
    expectTypeOf<PowertoolsObserver>().toExtend<NonNullable<SqsConsumerOptions['observer']>>();
    expectTypeOf<PowertoolsObserver>().toExtend<NonNullable<OutboxRelayOptions<unknown>['observer']>>();
  });
});
