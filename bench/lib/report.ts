import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured row of a benchmark. */
export interface BenchResult {
  readonly label: string;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Free-form extra columns (counts, notes). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

/** The JSON written to bench/results/<name>.json. */
export interface BenchReport {
  readonly name: string;
  readonly environment: { node: string; cpu: string; cores: number; versions: Record<string, string> };
  readonly results: readonly BenchResult[];
  readonly ratios: Readonly<Record<string, number>>;
}

/** The value at quantile `q` (0..1) of `samples` (milliseconds); 0 for no samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/** A result row from per-operation latencies and the wall time of the whole run. */
export function summarize(
  label: string,
  latenciesMs: readonly number[],
  wallMs: number,
  extra?: BenchResult['extra'],
): BenchResult {
  const row = {
    label,
    opsPerSec: wallMs > 0 ? Math.round((latenciesMs.length / wallMs) * 1000 * 10) / 10 : 0,
    p50Ms: round(percentile(latenciesMs, 0.5)),
    p99Ms: round(percentile(latenciesMs, 0.99)),
  };
  return extra === undefined ? row : { ...row, extra };
}

/** Per-operation latencies (ms) and the wall time of one batch. */
export interface Batch {
  readonly latencies: number[];
  readonly wallMs: number;
}

/**
 * Runs `operation` `count` times with at most `concurrency` in flight; returns each latency and the
 * wall time. `operation` gets the index of the call.
 */
export async function runBatch(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<Batch> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const t0 = performance.now();
        await operation(index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - began };
}

/** {@link runBatch}, summarized as one result row. */
export async function measure(
  label: string,
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<BenchResult> {
  const { latencies, wallMs } = await runBatch(count, concurrency, operation);
  return summarize(label, latencies, wallMs);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function versionOf(pkg: string): string {
  try {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const path = join(root, 'node_modules', '.pnpm', 'node_modules', pkg, 'package.json');
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Prints the table and writes bench/results/<name>.json. Ratio keys read `<ours>/<baseline>`. */
export function writeReport(
  name: string,
  results: readonly BenchResult[],
  ratios: Readonly<Record<string, number>>,
  versionsOf: readonly string[] = [],
): BenchReport {
  const report: BenchReport = {
    name,
    environment: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      versions: Object.fromEntries(versionsOf.map((pkg) => [pkg, versionOf(pkg)])),
    },
    results,
    ratios: Object.fromEntries(Object.entries(ratios).map(([key, value]) => [key, round(value)])),
  };
  console.table(results.map(({ extra, ...row }) => ({ ...row, ...extra })));
  if (Object.keys(report.ratios).length > 0) console.table(report.ratios);
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file}`);
  return report;
}
