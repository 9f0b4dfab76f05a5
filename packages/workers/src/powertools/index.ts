export {
  createPowertoolsMetrics,
  type PowertoolsMetricsLike,
  type PowertoolsMetricsOptions,
} from './powertools-metrics.js';
export {
  createPowertoolsObserver,
  type PowertoolsLoggerLike,
  type PowertoolsLogLevel,
  type PowertoolsObserver,
  type PowertoolsObserverOptions,
} from './powertools-observer.js';
