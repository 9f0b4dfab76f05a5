import { describe, expect, it } from 'vitest';
import { INFRA_FAULT_MINIMUMS, planInfraFaults } from './infra-fault-plan.js';

const plan = (seed: number, compact = seed % 2 === 1) =>
  planInfraFaults({ seed, hungWorkerProcesses: [1, 2], visibilityTimeoutSeconds: 4, compact });

describe('planInfraFaults', () => {
  it('plans at least the minimum of every kind, for any seed', () => {
    for (let seed = 0; seed < 200; seed++) {
      const counts = Object.fromEntries(Object.keys(INFRA_FAULT_MINIMUMS).map((kind) => [kind, 0]));
      for (const fault of plan(seed).faults) counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
      for (const [kind, minimum] of Object.entries(INFRA_FAULT_MINIMUMS))
        expect(counts[kind], `${seed} ${kind}`).toBeGreaterThanOrEqual(minimum);
    }
  });

  it('never runs two service faults at once, 2 s apart at least (1 s compact), each outage several seconds', () => {
    for (let seed = 0; seed < 200; seed++) {
      const track = plan(seed).faults.filter((f) => f.kind !== 'hungWorker');
      for (let i = 1; i < track.length; i++) {
        const [before, after] = [track[i - 1], track[i]];
        if (before === undefined || after === undefined) throw new Error('unreachable');
        expect(after.atMs - (before.atMs + before.durationMs)).toBeGreaterThanOrEqual(seed % 2 === 1 ? 1_000 : 2_000);
      }
      for (const f of track)
        if (f.kind === 'sqsOutage' || f.kind === 'dynamodbOutage') expect(f.durationMs).toBeGreaterThanOrEqual(3_000);
    }
  });

  it('hangs a consumer process longer than the visibility timeout, hangs never overlapping, all inside the plan', () => {
    for (let seed = 0; seed < 200; seed++) {
      const { faults, durationMs } = plan(seed);
      const hangs = faults.filter((f) => f.kind === 'hungWorker');
      for (const hang of hangs) {
        expect([1, 2]).toContain(hang.processIndex);
        expect(hang.durationMs).toBeGreaterThan(4_000);
      }
      const [first, second] = hangs;
      if (first === undefined || second === undefined) throw new Error('two hangs expected');
      expect(second.atMs).toBeGreaterThanOrEqual(first.atMs + first.durationMs);
      for (const f of faults) expect(f.atMs + f.durationMs).toBeLessThanOrEqual(durationMs);
    }
  });

  it('is a function of the seed, and seeds differ', () => {
    expect(plan(7)).toEqual(plan(7));
    expect(plan(6, false)).not.toEqual(plan(8, false));
    // About a minute: a 1,500-order load spread over it meets every fault.
    expect(plan(7, false).durationMs).toBeGreaterThan(40_000);
    expect(plan(7, false).durationMs).toBeLessThan(100_000);
    // Compact (CI): under 45 s.
    expect(plan(7, true).durationMs).toBeLessThan(45_000);
  });

  it('refuses a plan with no process to hang', () => {
    expect(() => planInfraFaults({ seed: 1, hungWorkerProcesses: [], visibilityTimeoutSeconds: 4 })).toThrow(
      RangeError,
    );
  });
});
