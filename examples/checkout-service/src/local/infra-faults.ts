import type { InfraFaultKind, InfraFaultPlan, PlannedInfraFault, ProxiedService } from './infra-fault-plan.js';

/** What {@link runInfraFaults} needs of a fault proxy (`createFaultProxy` of `@checkout/testing`). */
export interface FaultSwitch {
  setMode(mode: 'pass' | 'refuse' | 'blackhole'): unknown;
  setLatency(ms: number): unknown;
}

/** The levers of the faults: the running stack, the proxies in front of SQS and DynamoDB, the fleet. */
export interface InfraFaultTargets {
  /** Kills the Postgres server abruptly and starts it again on the same data and port, `downMs` later. */
  restartPostgres(downMs: number): Promise<void>;
  readonly proxies: Readonly<Record<ProxiedService, FaultSwitch>>;
  /** SIGSTOPs worker process `index`, SIGCONTs it `ms` later; resolves once it runs again. */
  pause(index: number, ms: number): Promise<void>;
}

/** A fault as it happened: epoch milliseconds of its start and of its end (service back, process resumed). */
export interface ExecutedInfraFault {
  readonly kind: InfraFaultKind;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly detail: string;
}

/** A running fault plan. */
export interface InfraFaultRun {
  /** Resolves when every fault ran (or was cut short by `stop`) and every endpoint passes again. */
  readonly done: Promise<readonly ExecutedInfraFault[]>;
  /** Faults that ran so far. */
  readonly executed: readonly ExecutedInfraFault[];
  /** Index of the process hung right now, if any (the killer leaves it alone). */
  readonly hungProcess: number | undefined;
  /** Ends the current proxy fault at once and skips the rest of the plan. */
  stop(): Promise<readonly ExecutedInfraFault[]>;
}

const describe = (fault: PlannedInfraFault): string => {
  switch (fault.kind) {
    case 'postgresRestart':
      return `Postgres killed, down ${fault.durationMs / 1_000} s`;
    case 'sqsOutage':
    case 'dynamodbOutage':
      return `${fault.kind === 'sqsOutage' ? 'SQS' : 'DynamoDB'} ${fault.mode} for ${fault.durationMs / 1_000} s`;
    case 'latencyBurst':
      return `${fault.service === 'sqs' ? 'SQS' : 'DynamoDB'} +${fault.latencyMs} ms for ${fault.durationMs / 1_000} s`;
    case 'hungWorker':
      return `worker process ${fault.processIndex} stopped for ${fault.durationMs / 1_000} s`;
  }
};

/**
 * Plays `plan` against `targets` from now on: each fault at its time (a fault still running when
 * the next is due delays it), the proxies back to `pass` and no latency after each one. Never
 * throws: a fault that failed to apply is logged and recorded with `failed` in its detail.
 */
export function runInfraFaults(
  plan: InfraFaultPlan,
  targets: InfraFaultTargets,
  options: { readonly log?: (line: string) => void } = {},
): InfraFaultRun {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const executed: ExecutedInfraFault[] = [];
  let stopped = false;
  let hungProcess: number | undefined;
  const wakers = new Set<() => void>();
  const sleepOn = async (ms: number) => {
    // Each track sleeps on its own waker so `stop` wakes both.
    await new Promise<void>((resolve) => {
      if (stopped || ms <= 0) return resolve();
      const finish = () => {
        clearTimeout(timer);
        wakers.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      wakers.add(finish);
    });
  };

  const play = async (fault: PlannedInfraFault) => {
    const detail = describe(fault);
    const startedAt = Date.now();
    log(`  fault: ${detail}`);
    let failed = '';
    try {
      switch (fault.kind) {
        case 'postgresRestart':
          await targets.restartPostgres(fault.durationMs);
          break;
        case 'sqsOutage':
        case 'dynamodbOutage': {
          const proxy = targets.proxies[fault.kind === 'sqsOutage' ? 'sqs' : 'dynamodb'];
          await proxy.setMode(fault.mode);
          await sleepOn(fault.durationMs);
          await proxy.setMode('pass');
          break;
        }
        case 'latencyBurst': {
          const proxy = targets.proxies[fault.service];
          await proxy.setLatency(fault.latencyMs);
          await sleepOn(fault.durationMs);
          await proxy.setLatency(0);
          break;
        }
        case 'hungWorker':
          hungProcess = fault.processIndex;
          try {
            await targets.pause(fault.processIndex, fault.durationMs);
          } finally {
            hungProcess = undefined;
          }
          break;
      }
    } catch (error) {
      failed = ` (failed: ${error instanceof Error ? error.message : String(error)})`;
      log(`  fault ${detail}${failed}`);
    }
    executed.push({ kind: fault.kind, startedAt, endedAt: Date.now(), detail: `${detail}${failed}` });
  };

  const track = async (faults: readonly PlannedInfraFault[]) => {
    for (const fault of faults) {
      await sleepOn(started + fault.atMs - Date.now());
      if (stopped) return;
      await play(fault);
    }
  };
  const done = (async () => {
    await Promise.all([
      track(plan.faults.filter((f) => f.kind !== 'hungWorker')),
      track(plan.faults.filter((f) => f.kind === 'hungWorker')),
    ]);
    for (const proxy of Object.values(targets.proxies)) {
      await proxy.setMode('pass');
      await proxy.setLatency(0);
    }
    return executed;
  })();
  return {
    done,
    executed,
    get hungProcess() {
      return hungProcess;
    },
    async stop() {
      stopped = true;
      for (const finish of [...wakers]) finish();
      return done;
    },
  };
}

/** Count of the executed faults of each kind (failed ones excluded). */
export function countInfraFaults(executed: readonly ExecutedInfraFault[]): Record<InfraFaultKind, number> {
  const counts: Record<InfraFaultKind, number> = {
    postgresRestart: 0,
    sqsOutage: 0,
    dynamodbOutage: 0,
    latencyBurst: 0,
    hungWorker: 0,
  };
  for (const fault of executed) if (!fault.detail.includes('(failed:')) counts[fault.kind] += 1;
  return counts;
}
