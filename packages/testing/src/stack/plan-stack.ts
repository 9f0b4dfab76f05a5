import { DockerUnavailableError, TestingConfigError } from '../errors.js';
import type { ServiceName, ServiceSource, StackMode } from './types.js';

/** Environment variables read by {@link planStack} and `startCheckoutStack`. */
export const STACK_ENV = {
  postgres: 'CHECKOUT_POSTGRES_URL',
  dynamodb: 'CHECKOUT_DYNAMODB_ENDPOINT',
  sqs: 'CHECKOUT_SQS_ENDPOINT',
  mode: 'CHECKOUT_STACK_MODE',
} as const;

/** Inputs of the source decision, all explicit so the decision is a pure, testable function. */
export interface StackPlanInput {
  /** Usually `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides `CHECKOUT_STACK_MODE`. */
  readonly mode?: StackMode | undefined;
  /**
   * Whether a Docker daemon answered. Called at most once, and only when some service is not set by
   * an environment variable and the mode allows containers.
   */
  readonly dockerAvailable: () => Promise<{ available: boolean; detail: string }>;
}

/** Which source each service will use. */
export type StackPlan = Readonly<Record<ServiceName, ServiceSource>>;

const SERVICES: readonly ServiceName[] = ['postgres', 'dynamodb', 'sqs'];
const MODES: ReadonlySet<string> = new Set<StackMode>(['auto', 'containers', 'embedded']);

function parseMode(raw: string | undefined): StackMode {
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'auto' || raw === 'containers' || raw === 'embedded') return raw;
  throw new TestingConfigError(
    STACK_ENV.mode,
    `must be one of auto, containers, embedded; got ${JSON.stringify(raw).slice(0, 80)}`,
  );
}

/**
 * Decides, per service, where it comes from: (a) its environment variable when set; otherwise
 * (b) a testcontainers container when a Docker daemon answers (mode `auto` or `containers`);
 * otherwise (c) an embedded server on 127.0.0.1. Mode `containers` without Docker is an error;
 * mode `embedded` never probes Docker. A bad mode (option or variable) is a `TestingConfigError`
 * naming it.
 */
export async function planStack(input: StackPlanInput): Promise<StackPlan> {
  if (input.mode !== undefined && !MODES.has(input.mode)) {
    throw new TestingConfigError(
      'mode',
      `must be one of auto, containers, embedded; got ${String(JSON.stringify(input.mode)).slice(0, 80)}`,
    );
  }
  const mode = input.mode ?? parseMode(input.env[STACK_ENV.mode]);
  const fromEnv = (service: ServiceName): boolean => {
    const value = input.env[STACK_ENV[service]];
    return value !== undefined && value !== '';
  };
  const unset = SERVICES.filter((service) => !fromEnv(service));
  let fallback: ServiceSource = 'embedded';
  if (unset.length > 0 && mode !== 'embedded') {
    const docker = await input.dockerAvailable();
    if (docker.available) fallback = 'container';
    else if (mode === 'containers') throw new DockerUnavailableError(docker.detail);
  }
  return {
    postgres: fromEnv('postgres') ? 'env' : fallback,
    dynamodb: fromEnv('dynamodb') ? 'env' : fallback,
    sqs: fromEnv('sqs') ? 'env' : fallback,
  };
}
