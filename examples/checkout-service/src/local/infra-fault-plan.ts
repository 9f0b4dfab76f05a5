import { createSeededRandom } from '../random/seeded-random.js';

/** The faults of the services under the checkout (`pnpm chaos --infra-faults`). */
export type InfraFaultKind = 'postgresRestart' | 'sqsOutage' | 'dynamodbOutage' | 'latencyBurst' | 'hungWorker';

/** The endpoints a proxy fault hits. */
export type ProxiedService = 'sqs' | 'dynamodb';

/** One planned fault, at `atMs` after the plan starts. */
export type PlannedInfraFault =
  | { readonly kind: 'postgresRestart'; readonly atMs: number; readonly durationMs: number }
  | {
      readonly kind: 'sqsOutage' | 'dynamodbOutage';
      readonly atMs: number;
      readonly durationMs: number;
      /** `refuse`: connections refused at once; `blackhole`: accepted, never answered (the SDK's timeouts end them). */
      readonly mode: 'refuse' | 'blackhole';
    }
  | {
      readonly kind: 'latencyBurst';
      readonly atMs: number;
      readonly durationMs: number;
      readonly service: ProxiedService;
      readonly latencyMs: number;
    }
  | { readonly kind: 'hungWorker'; readonly atMs: number; readonly durationMs: number; readonly processIndex: number };

/** Options of {@link planInfraFaults}. */
export interface InfraFaultPlanOptions {
  readonly seed: number;
  /** Indexes (in the process fleet) of the processes that may be hung: the consumers. */
  readonly hungWorkerProcesses: readonly number[];
  /** The workers' visibility timeout: a hung worker stays stopped longer than this. */
  readonly visibilityTimeoutSeconds: number;
  /**
   * The same faults, shorter (3 s outages and bursts, 1 s Postgres down time, 1-2 s apart): about
   * 40 s instead of about a minute, for CI. Default false.
   */
  readonly compact?: boolean;
}

/** A seeded fault plan and how long it lasts. */
export interface InfraFaultPlan {
  readonly faults: readonly PlannedInfraFault[];
  /** When the last fault ends, after the plan's start. */
  readonly durationMs: number;
}

/** Minimum count of each kind in every plan (issue 20). */
export const INFRA_FAULT_MINIMUMS: Readonly<Record<InfraFaultKind, number>> = {
  postgresRestart: 3,
  sqsOutage: 2,
  dynamodbOutage: 2,
  latencyBurst: 2,
  hungWorker: 2,
};

/**
 * Plans the infrastructure faults of one chaos run from its seed. Postgres restarts, SQS and
 * DynamoDB outages and latency bursts take turns on one track (never two at once, 2-4 s apart, so
 * each one's recovery can be seen); hung workers (SIGSTOP past the visibility timeout, then SIGCONT)
 * run on a second track and may overlap them. The same seed gives the same plan.
 */
export function planInfraFaults(options: InfraFaultPlanOptions): InfraFaultPlan {
  if (options.hungWorkerProcesses.length === 0) throw new RangeError('hungWorkerProcesses must not be empty');
  const random = createSeededRandom(options.seed ^ 0x1f4a);
  type Slot =
    | 'postgresRestart'
    | 'sqs-refuse'
    | 'sqs-blackhole'
    | 'dynamodb-refuse'
    | 'dynamodb-blackhole'
    | ProxiedService;
  const slots: Slot[] = [
    'postgresRestart',
    'postgresRestart',
    'postgresRestart',
    'sqs-refuse',
    'sqs-blackhole',
    'dynamodb-refuse',
    'dynamodb-blackhole',
    'sqs',
    'dynamodb',
  ];
  // Fisher-Yates, seeded.
  for (let i = slots.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [slots[i], slots[j]] = [slots[j] as Slot, slots[i] as Slot];
  }
  const compact = options.compact ?? false;
  const faults: PlannedInfraFault[] = [];
  let at = compact ? 2_000 : 3_000;
  for (const slot of slots) {
    const durationMs = compact ? 3_000 : random.int(3, 6) * 1_000;
    if (slot === 'postgresRestart') {
      // The time the server stays down (the restart itself adds its start-up time).
      faults.push({ kind: 'postgresRestart', atMs: at, durationMs: compact ? 1_000 : random.int(1, 3) * 1_000 });
    } else if (slot === 'sqs' || slot === 'dynamodb') {
      faults.push({ kind: 'latencyBurst', atMs: at, durationMs, service: slot, latencyMs: random.int(3, 15) * 100 });
    } else {
      const [service, mode] = slot.split('-') as [ProxiedService, 'refuse' | 'blackhole'];
      faults.push({ kind: service === 'sqs' ? 'sqsOutage' : 'dynamodbOutage', atMs: at, durationMs, mode });
    }
    at += (faults.at(-1)?.durationMs ?? 0) + (compact ? random.int(1, 2) : random.int(2, 4)) * 1_000;
  }
  const mainEnd = at;
  // Hung workers: two, in the first and second half of the main track.
  const hangMs = () => (options.visibilityTimeoutSeconds + (compact ? 2 : random.int(2, 4))) * 1_000;
  const longest = (options.visibilityTimeoutSeconds + 4) * 1_000;
  for (const [from, to] of [
    [2_000, mainEnd / 2 - longest],
    [mainEnd / 2, mainEnd - longest],
  ] as const) {
    faults.push({
      kind: 'hungWorker',
      atMs: random.int(Math.round(from), Math.max(Math.round(from), Math.round(to))),
      durationMs: hangMs(),
      processIndex: options.hungWorkerProcesses[random.int(0, options.hungWorkerProcesses.length - 1)] ?? 0,
    });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return { faults, durationMs: Math.max(...faults.map((f) => f.atMs + f.durationMs)) };
}
