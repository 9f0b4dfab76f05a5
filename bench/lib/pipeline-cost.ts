// Load-independent cost of a benchmark phase: CPU seconds of this process and of its child servers
// (read from /proc, so other work on the machine does not count), and the calls it made to Postgres,
// DynamoDB and SQS (counted by wrapping the clients' prototypes in this process).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';

const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime + cutime + cstime (reaped children included), seconds. */
  readonly cpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is state (field 3); utime is field 14 -> index 11.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { pid, ppid: Number(fields[1]), comm, cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU seconds so far of this process (`node`) and of its descendants by kind (`postgres`, `java`, `other`). */
export type CpuSnapshot = Readonly<Record<'node' | 'postgres' | 'java' | 'other', number>>;

function kindOf(comm: string): keyof CpuSnapshot {
  if (comm.startsWith('postgres') || comm.startsWith('postmaster')) return 'postgres';
  if (comm === 'java') return 'java';
  if (comm.startsWith('node') || comm === 'MainThread') return 'node';
  return 'other';
}

/** A snapshot of the CPU time of this process tree (Linux only; zeros elsewhere). */
export function cpuSnapshot(): CpuSnapshot {
  const totals = { node: 0, postgres: 0, java: 0, other: 0 };
  let all: ProcStat[];
  try {
    all = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readStat(Number(name)))
      .filter((stat): stat is ProcStat => stat !== undefined);
  } catch {
    return totals;
  }
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const self = all.find((stat) => stat.pid === process.pid);
  if (self !== undefined) totals.node += self.cpuSeconds;
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      totals[kindOf(child.comm)] += child.cpuSeconds;
      walk(child.pid);
    }
  };
  walk(process.pid);
  return totals;
}

/** `after - before`, per kind, plus `total`. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): Record<keyof CpuSnapshot | 'total', number> {
  const node = after.node - before.node;
  const postgres = after.postgres - before.postgres;
  const java = after.java - before.java;
  const other = after.other - before.other;
  return { node, postgres, java, other, total: node + postgres + java + other };
}

/** Calls so far, by kind: Postgres statements (`pg` + first SQL word), `dynamodb:<Command>`, `sqs:<Command>`. */
export type CallCounts = Readonly<Record<string, number>>;

const counts: Record<string, number> = {};

function bump(name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}

let installed = false;
const sqlText = process.env.CHECKOUT_BENCH_SQL === '1';

/** Wraps `pg.Client#query`, `DynamoDBClient#send` and `SQSClient#send` of this process to count calls (once). */
export function countCalls(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: unknown,
    ...args: unknown[]
  ) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    const word = typeof text === 'string' ? (/^\s*(\w+)/.exec(text)?.[1] ?? '?').toLowerCase() : '?';
    bump(`pg:${word}`);
    if (sqlText && typeof text === 'string') bump(`sql:${text.replace(/\s+/g, ' ').slice(0, 140)}`);
    return query.apply(this, args);
  };
  for (const [prefix, Client] of [
    ['dynamodb', DynamoDBClient],
    ['sqs', SQSClient],
  ] as const) {
    const send = Client.prototype.send as (...args: unknown[]) => unknown;
    (Client.prototype as unknown as { send: (...args: unknown[]) => unknown }).send = function (
      this: unknown,
      ...args: unknown[]
    ) {
      const command = args[0] as { constructor?: { name?: string } } | undefined;
      bump(`${prefix}:${(command?.constructor?.name ?? '?').replace(/Command$/, '')}`);
      return send.apply(this, args);
    };
  }
}

/** A copy of the counters so far. */
export function callSnapshot(): CallCounts {
  return { ...counts };
}

/** Calls between two snapshots, each divided by `per` (orders), rounded to 0.01; `pg`, `dynamodb`, `sqs` totals first. */
export function callsPer(before: CallCounts, after: CallCounts, per: number): Record<string, number> {
  const out: Record<string, number> = { pg: 0, dynamodb: 0, sqs: 0 };
  for (const [name, n] of Object.entries(after)) {
    const delta = n - (before[name] ?? 0);
    if (delta === 0 || name.startsWith('sql:')) continue;
    const system = name.slice(0, name.indexOf(':'));
    out[system] = (out[system] ?? 0) + delta;
    out[name] = delta;
  }
  for (const key of Object.keys(out)) out[key] = Math.round(((out[key] ?? 0) / per) * 100) / 100;
  return out;
}

/**
 * Starts the V8 CPU profiler of this process when `file` is set (the bench's
 * `CHECKOUT_BENCH_CPU_PROFILE`); `stop()` writes a `.cpuprofile` (open it in Chrome DevTools).
 */
export async function startProfile(file: string | undefined): Promise<{ stop(): Promise<void> } | undefined> {
  if (file === undefined || file === '') return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** `CHECKOUT_BENCH_SQL=1`: the statements of a phase by their text, most frequent first (per `per` orders). */
export function statementsPer(before: CallCounts, after: CallCounts, per: number): [string, number][] {
  return Object.entries(after)
    .filter(([name]) => name.startsWith('sql:'))
    .map(([name, n]): [string, number] => [name.slice(4), Math.round(((n - (before[name] ?? 0)) / per) * 100) / 100])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}
