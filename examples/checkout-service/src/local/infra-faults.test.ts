import { describe, expect, it } from 'vitest';
import type { InfraFaultPlan } from './infra-fault-plan.js';
import { countInfraFaults, type InfraFaultTargets, runInfraFaults } from './infra-faults.js';

// A recording stand-in for the proxies, the stack and the fleet: this is the scheduler's unit test
// (the real levers are exercised by `infra-chaos.int.test.ts` and `pnpm chaos --infra-faults`).
function recorder() {
  const calls: string[] = [];
  const proxy = (name: string) => ({
    setMode: (mode: string) => calls.push(`${name} ${mode}`),
    setLatency: (ms: number) => calls.push(`${name} latency ${ms}`),
  });
  const targets: InfraFaultTargets = {
    proxies: { sqs: proxy('sqs'), dynamodb: proxy('dynamodb') },
    async restartPostgres(downMs) {
      calls.push(`postgres down ${downMs}`);
      await new Promise((resolve) => setTimeout(resolve, downMs));
    },
    async pause(index, ms) {
      calls.push(`pause ${index}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      calls.push(`resume ${index}`);
    },
  };
  return { calls, targets };
}

const PLAN: InfraFaultPlan = {
  faults: [
    { kind: 'postgresRestart', atMs: 0, durationMs: 20 },
    { kind: 'hungWorker', atMs: 10, durationMs: 80, processIndex: 2 },
    { kind: 'sqsOutage', atMs: 40, durationMs: 30, mode: 'blackhole' },
    { kind: 'latencyBurst', atMs: 90, durationMs: 30, service: 'dynamodb', latencyMs: 700 },
    { kind: 'dynamodbOutage', atMs: 130, durationMs: 20, mode: 'refuse' },
  ],
  durationMs: 150,
};

describe('runInfraFaults', () => {
  it('plays each fault, puts every proxy back to pass, and times each fault', async () => {
    const { calls, targets } = recorder();
    const run = runInfraFaults(PLAN, targets);
    const executed = await run.done;
    expect(calls.filter((c) => !c.startsWith('pause') && !c.startsWith('resume')).slice(0, 7)).toEqual([
      'postgres down 20',
      'sqs blackhole',
      'sqs pass',
      'dynamodb latency 700',
      'dynamodb latency 0',
      'dynamodb refuse',
      'dynamodb pass',
    ]);
    expect(calls).toContain('pause 2');
    expect(calls).toContain('resume 2');
    expect(calls.slice(-4)).toEqual(['sqs pass', 'sqs latency 0', 'dynamodb pass', 'dynamodb latency 0']);
    expect(countInfraFaults(executed)).toEqual({
      postgresRestart: 1,
      sqsOutage: 1,
      dynamodbOutage: 1,
      latencyBurst: 1,
      hungWorker: 1,
    });
    for (const fault of executed) expect(fault.endedAt).toBeGreaterThanOrEqual(fault.startedAt);
    const outage = executed.find((f) => f.kind === 'sqsOutage');
    expect((outage?.endedAt ?? 0) - (outage?.startedAt ?? 0)).toBeGreaterThanOrEqual(25);
  });

  it('tells which process is hung while it is', async () => {
    const { targets } = recorder();
    const run = runInfraFaults(PLAN, targets);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(run.hungProcess).toBe(2);
    await run.done;
    expect(run.hungProcess).toBeUndefined();
  });

  it('stop ends the current outage at once and skips the rest, proxies passing', async () => {
    const { calls, targets } = recorder();
    const run = runInfraFaults(
      {
        faults: [
          { kind: 'sqsOutage', atMs: 0, durationMs: 60_000, mode: 'refuse' },
          { kind: 'postgresRestart', atMs: 70_000, durationMs: 1 },
        ],
        durationMs: 70_001,
      },
      targets,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    const executed = await run.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(executed.map((f) => f.kind)).toEqual(['sqsOutage']);
    expect(calls).not.toContain('postgres down 1');
    expect(calls.at(-4)).toBe('sqs pass');
  });

  it('records a fault that failed to apply, and does not count it', async () => {
    const { targets } = recorder();
    const lines: string[] = [];
    const run = runInfraFaults(
      { faults: [{ kind: 'postgresRestart', atMs: 0, durationMs: 1 }], durationMs: 1 },
      { ...targets, restartPostgres: () => Promise.reject(new Error('no data directory')) },
      { log: (line) => lines.push(line) },
    );
    const executed = await run.done;
    expect(executed[0]?.detail).toContain('failed: no data directory');
    expect(countInfraFaults(executed).postgresRestart).toBe(0);
    expect(lines.some((line) => line.includes('no data directory'))).toBe(true);
  });
});
