import { WorkersConfigError } from '../errors.js';
import type { OutcomeKind } from '../metrics/worker-metrics.js';
import type { MessageSettledEvent, WorkerErrorEvent } from '../processing/worker-error.js';

/**
 * The part of a Powertools `Logger` (`@aws-lambda-powertools/logger` 2.x) the observer uses; a
 * `Logger` instance fits it. Declared here so `@checkout/workers` needs no Powertools at runtime.
 */
export interface PowertoolsLoggerLike {
  debug(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** A log level, or `'off'` for no log. */
export type PowertoolsLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Options of {@link createPowertoolsObserver}. */
export interface PowertoolsObserverOptions {
  /**
   * Level of the log of each settled delivery, by outcome. Default `{ processed: 'info', skipped:
   * 'info', retried: 'warn', 'dead-lettered': 'error' }`; busy queues may want `processed: 'debug'`.
   */
  readonly settledLevels?: Partial<Readonly<Record<OutcomeKind, PowertoolsLogLevel>>>;
}

/**
 * Observer hooks logging through a Powertools `Logger`: pass it as `observer` to
 * `createSqsBatchHandler`, `createSqsConsumer` and `createOutboxRelay` (`@checkout/outbox`).
 */
export interface PowertoolsObserver {
  /**
   * A worker's `WorkerErrorEvent` (logged at `error` with `stage`, `sqsMessageId`, `messageId`,
   * `orderId`, `commandType` and `error`), or an error the outbox relay survived (`error`, `errorCode`, `outboxRowIds` when it names rows).
   */
  error(event: unknown): void;
  /** A delivery done with: `queue`, `sqsMessageId`, `messageId`, `orderId`, `commandType`, `outcome`, `poison`, `latencyMs`, `receiveCount`. */
  settled(event: MessageSettledEvent): void;
  /** An outbox relay round (`debug`, its counts as keys). */
  roundCompleted(round: object): void;
  /** An outbox table snapshot (`info`, its fields as keys). */
  stats(stats: object): void;
}

const DEFAULT_LEVELS: Readonly<Record<OutcomeKind, PowertoolsLogLevel>> = {
  processed: 'info',
  skipped: 'info',
  retried: 'warn',
  'dead-lettered': 'error',
};

const LEVELS: readonly PowertoolsLogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

const isWorkerErrorEvent = (value: unknown): value is WorkerErrorEvent =>
  typeof value === 'object' &&
  value !== null &&
  !(value instanceof Error) &&
  typeof (value as { stage?: unknown }).stage === 'string' &&
  'error' in value;

/** Keys with a value only: a structured log has no `"orderId": undefined`. */
function defined(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}

function errorCodeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

// The outbox row ids an outbox error names (`OutboxPublishTimeoutError.ids`), at most 100.
function rowIdsOf(error: unknown): readonly string[] | undefined {
  const ids = typeof error === 'object' && error !== null ? (error as { ids?: unknown }).ids : undefined;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').slice(0, 100) : undefined;
}

/**
 * Observer hooks that log through a Powertools `Logger`, so a Powertools user has one logger: the
 * workers' errors and settled deliveries and the outbox relay's errors, rounds and stats become
 * structured log lines with the ids as keys (`orderId`, `messageId`, `sqsMessageId`, `commandType`)
 * beside your logger's own keys (service, Lambda context, correlation id). Ids and counts only,
 * never message bodies or payloads. A hook never throws into the worker or the relay.
 *
 * @throws WorkersConfigError naming `logger` or `settledLevels.<outcome>` when one is unusable.
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger';
 * import { type CommandRoute } from '@checkout/workers';
 * import { createSqsBatchHandler } from '@checkout/workers/lambda';
 * import { createPowertoolsObserver } from '@checkout/workers/powertools';
 *
 * declare const commands: readonly CommandRoute[];
 *
 * const logger = new Logger({ serviceName: 'payments' });
 * export const handler = createSqsBatchHandler({
 *   commands,
 *   observer: createPowertoolsObserver(logger, { settledLevels: { processed: 'debug' } }),
 * });
 * ```
 */
export function createPowertoolsObserver(
  logger: PowertoolsLoggerLike,
  options: PowertoolsObserverOptions = {},
): PowertoolsObserver {
  for (const method of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof logger?.[method] !== 'function') {
      throw new WorkersConfigError('logger', `must be a Powertools Logger (no ${method} method)`);
    }
  }
  const levels: Record<OutcomeKind, PowertoolsLogLevel> = { ...DEFAULT_LEVELS };
  for (const [outcome, level] of Object.entries(options.settledLevels ?? {})) {
    if (!(outcome in DEFAULT_LEVELS)) {
      throw new WorkersConfigError(`settledLevels.${outcome}`, 'is not an outcome');
    }
    if (!LEVELS.includes(level as PowertoolsLogLevel)) {
      throw new WorkersConfigError(`settledLevels.${outcome}`, `must be one of ${LEVELS.join(', ')}`);
    }
    levels[outcome as OutcomeKind] = level as PowertoolsLogLevel;
  }
  const log = (level: PowertoolsLogLevel, message: string, attributes: Record<string, unknown>) => {
    if (level === 'off') return;
    try {
      logger[level](message, defined(attributes));
    } catch {
      // A logger that throws must not break processing.
    }
  };
  return {
    error(event) {
      if (isWorkerErrorEvent(event)) {
        log('error', `checkout-workers ${event.stage} error`, {
          stage: event.stage,
          sqsMessageId: event.sqsMessageId,
          messageId: event.messageId,
          orderId: event.orderId,
          commandType: event.type,
          errorCode: errorCodeOf(event.error),
          error: event.error,
        });
        return;
      }
      log('error', 'checkout-outbox relay error', {
        errorCode: errorCodeOf(event),
        outboxRowIds: rowIdsOf(event),
        error: event,
      });
    },
    settled(event) {
      log(levels[event.outcome] ?? 'info', `checkout-workers message ${event.outcome}`, {
        queue: event.queue,
        sqsMessageId: event.sqsMessageId,
        messageId: event.messageId,
        orderId: event.orderId,
        commandType: event.type,
        outcome: event.outcome,
        poison: event.poison,
        latencyMs: Math.round(event.latencyMs),
        receiveCount: event.receiveCount,
      });
    },
    roundCompleted(round) {
      log('debug', 'checkout-outbox relay round', { ...round });
    },
    stats(stats) {
      log('info', 'checkout-outbox stats', { ...stats });
    },
  };
}
