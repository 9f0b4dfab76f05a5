import { sql } from 'kysely';
import { TABLES } from '../db/migrations.js';
import type { CheckoutDeps } from '../service/checkout-deps.js';
import type { ExecutedInfraFault } from './infra-faults.js';

/** One fault's recovery: seconds from its end to the next order reaching COMPLETED (`null`: none did). */
export interface FaultRecovery {
  readonly kind: ExecutedInfraFault['kind'];
  readonly detail: string;
  readonly seconds: number | null;
}

/** The `recovery` field of the chaos report. */
export interface RecoveryReport {
  /** The longest {@link FaultRecovery.seconds} over every fault (0 with no fault). */
  readonly maxSeconds: number;
  readonly byFault: readonly FaultRecovery[];
}

/**
 * Recovery from durable state: for each fault, the time from its end (service back, proxy passing,
 * process resumed; `endedAt`) to the first audit row of a transition to COMPLETED whose `at`
 * (the transaction's start, Postgres `now()`, same clock as this machine) is at or after that end.
 * A completion whose transaction began before the end does not count, so the figure never flatters.
 * `maxSeconds` is the longest of them; a fault after which no order completed is `null` and left out.
 */
export async function measureRecovery(
  deps: Pick<CheckoutDeps, 'db' | 'schema' | 'orders'>,
  executed: readonly ExecutedInfraFault[],
): Promise<RecoveryReport> {
  const { rows } = await sql<{ at: Date }>`SELECT at FROM ${sql.id(deps.schema, TABLES.audit)}
    WHERE machine_id = ${deps.orders.machine.id} AND to_state = 'COMPLETED' ORDER BY at`.execute(deps.db);
  const completions = rows.map((row) => new Date(row.at).getTime());
  const byFault = executed.map((fault): FaultRecovery => {
    const next = completions.find((at) => at >= fault.endedAt);
    return {
      kind: fault.kind,
      detail: fault.detail,
      seconds: next === undefined ? null : Math.round(next - fault.endedAt) / 1_000,
    };
  });
  const measured = byFault.flatMap((f) => (f.seconds === null ? [] : [f.seconds]));
  return { maxSeconds: measured.length === 0 ? 0 : Math.max(...measured), byFault };
}
