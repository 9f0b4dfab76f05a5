// CPU time of another local process (e.g. the DynamoDB Local JVM the stack started), from /proc:
// the server-side cost per operation, as load-independent as this process's own CPU time.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * A reader of the CPU time (user + system, milliseconds) of the process whose command line has an
 * argument containing `marker` and an argument equal to `argument` (e.g. its port), or undefined
 * when there is none (no /proc, or the server is not a local process).
 */
export function processCpuReader(marker: string, argument: string): (() => number) | undefined {
  let pid: string | undefined;
  try {
    pid = readdirSync('/proc').find((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return args.includes(argument) && args.some((arg) => arg.includes(marker));
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
  if (pid === undefined) return undefined;
  return () => {
    // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  };
}
