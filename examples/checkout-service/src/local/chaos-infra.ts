import { type CheckoutStackInfo, createFaultProxy, type FaultProxy } from '@checkout/testing';
import { type InfraFaultPlan, type ProxiedService, planInfraFaults } from './infra-fault-plan.js';
import { type InfraFaultRun, runInfraFaults } from './infra-faults.js';

/** The visibility timeout of the chaos fleet's workers (`worker-process.ts`): a hung worker outlives it. */
export const WORKER_VISIBILITY_TIMEOUT_SECONDS = 4;

/** Options of {@link startInfraFaults}. */
export interface InfraFaultsOptions {
  readonly seed: number;
  /**
   * Restarts Postgres abruptly, down at least `downMs` (`stack.restartPostgres` of `@checkout/testing`,
   * or `restart` of a private `startEmbeddedPostgres()` server).
   */
  readonly restartPostgres: (options: { readonly downMs: number }) => Promise<unknown>;
  /** The shorter plan (about 40 s), for CI. Default false. */
  readonly compact?: boolean;
}

/** Fault proxies in front of SQS and DynamoDB, and the seeded plan that uses them. */
export interface InfraFaults {
  /**
   * The stack as every process must see it: SQS and DynamoDB endpoints replaced by the proxies'
   * (build the environment from this one, so the worker processes' `processConfig` inherits it).
   */
  readonly stack: Pick<CheckoutStackInfo, 'postgres' | 'dynamodb' | 'sqs'>;
  readonly proxies: Readonly<Record<ProxiedService, FaultProxy>>;
  /** The seeded plan, hanging only the given fleet processes (the consumers). */
  plan(hungWorkerProcesses: readonly number[]): InfraFaultPlan;
  /** Starts the plan now against the stack, the proxies and the fleet. */
  run(
    plan: InfraFaultPlan,
    fleet: { pause(index: number, ms: number): Promise<unknown> },
    options?: { readonly log?: (line: string) => void },
  ): InfraFaultRun;
  /** Closes the proxies (after the environment and the fleet stopped). */
  close(): Promise<void>;
}

const proxied = (endpoint: CheckoutStackInfo['sqs'], proxy: FaultProxy): CheckoutStackInfo['sqs'] => ({
  ...endpoint,
  endpoint: proxy.endpoint,
  clientConfig: { ...endpoint.clientConfig, credentials: { ...endpoint.credentials }, endpoint: proxy.endpoint },
});

/**
 * Puts a `createFaultProxy` of `@checkout/testing` in front of the stack's SQS and DynamoDB and
 * returns the stack as every process must see it, with the plan and its runner
 * (`pnpm chaos --infra-faults`, `infra-chaos.int.test.ts`).
 */
export async function startInfraFaults(
  stack: Pick<CheckoutStackInfo, 'postgres' | 'dynamodb' | 'sqs'>,
  options: InfraFaultsOptions,
): Promise<InfraFaults> {
  const sqs = await createFaultProxy({ target: stack.sqs.endpoint });
  const dynamodb = await createFaultProxy({ target: stack.dynamodb.endpoint });
  const proxies = { sqs, dynamodb };
  return {
    stack: { postgres: stack.postgres, sqs: proxied(stack.sqs, sqs), dynamodb: proxied(stack.dynamodb, dynamodb) },
    proxies,
    plan: (hungWorkerProcesses) =>
      planInfraFaults({
        seed: options.seed,
        hungWorkerProcesses,
        visibilityTimeoutSeconds: WORKER_VISIBILITY_TIMEOUT_SECONDS,
        ...(options.compact === undefined ? {} : { compact: options.compact }),
      }),
    run: (plan, fleet, runOptions) =>
      runInfraFaults(
        plan,
        {
          proxies,
          restartPostgres: async (downMs) => {
            await options.restartPostgres({ downMs });
          },
          pause: async (index, ms) => {
            await fleet.pause(index, ms);
          },
        },
        runOptions,
      ),
    async close() {
      await Promise.all([sqs.close(), dynamodb.close()]);
    },
  };
}
