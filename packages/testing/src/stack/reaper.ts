import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A process the reaper ends when its owner dies, and a marker its command line must contain. */
interface Victim {
  readonly pid: number;
  /** Kill the whole process group (the process was spawned `detached`). */
  readonly group: boolean;
  readonly signal: NodeJS.Signals;
  /** Substring of /proc/<pid>/cmdline, so a recycled pid is never killed by mistake. */
  readonly marker: string;
}

interface Ledger {
  victims: Victim[];
  dirs: string[];
}

// The watchdog runs as its own detached process. It reads JSON lines on stdin; when stdin closes
// (the owning process exited, crashed, or was SIGKILLed: the kernel closes the pipe either way) it
// ends every registered process (signal, then SIGKILL after 5 s) and removes the directories.
const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const victims = []; const dirs = [];
let buffered = '';
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const matches = (v) => { try { return fs.readFileSync('/proc/' + v.pid + '/cmdline', 'utf8').includes(v.marker); } catch { return process.platform !== 'linux'; } };
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let i;
  while ((i = buffered.indexOf('\\n')) >= 0) {
    const line = buffered.slice(0, i); buffered = buffered.slice(i + 1);
    try { const m = JSON.parse(line); if (m.victim) victims.push(m.victim); if (m.dir) dirs.push(m.dir); } catch {}
  }
});
process.stdin.on('close', async () => {
  const targets = victims.filter((v) => alive(v.pid) && matches(v));
  for (const v of targets) { try { process.kill(v.group ? -v.pid : v.pid, v.signal); } catch {} }
  const deadline = Date.now() + 5000;
  while (targets.some((v) => alive(v.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const v of targets) { if (alive(v.pid)) { try { process.kill(v.group ? -v.pid : v.pid, 'SIGKILL'); } catch {} } }
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
  process.exit(0);
});
`;

const LEDGER_DIR = join(tmpdir(), 'checkout-kit-stack');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdlineContains(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Ends what an earlier run left behind when even its watchdog was killed: each ledger file names a
 * watchdog pid; if that process is gone, its victims are killed (after checking their command line)
 * and its directories removed.
 */
export function sweepOrphans(): number {
  let swept = 0;
  let files: string[];
  try {
    files = readdirSync(LEDGER_DIR).filter((name) => name.endsWith('.json'));
  } catch {
    return 0;
  }
  for (const file of files) {
    const ownerPid = Number(file.replace(/\.json$/, ''));
    if (Number.isInteger(ownerPid) && isAlive(ownerPid)) continue;
    const path = join(LEDGER_DIR, file);
    try {
      const ledger = JSON.parse(readFileSync(path, 'utf8')) as Ledger;
      for (const victim of ledger.victims) {
        if (isAlive(victim.pid) && cmdlineContains(victim.pid, victim.marker)) {
          try {
            process.kill(victim.group ? -victim.pid : victim.pid, 'SIGKILL');
            swept += 1;
          } catch {
            // already gone
          }
        }
      }
      for (const dir of ledger.dirs) rmSync(dir, { recursive: true, force: true });
    } catch {
      // unreadable ledger: nothing we can safely act on
    }
    try {
      unlinkSync(path);
    } catch {
      // another run swept it first
    }
  }
  return swept;
}

/**
 * A watchdog process that outlives its owner just long enough to end the servers the owner
 * started. `register*` calls are cheap; `close()` after a clean stop lets it exit with nothing to do.
 */
export class Reaper {
  readonly #child: ChildProcess;
  readonly #ledgerPath: string;
  readonly #ledger: Ledger = { victims: [], dirs: [] };

  constructor() {
    mkdirSync(LEDGER_DIR, { recursive: true });
    this.#child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.#child.unref();
    const stdin = this.#child.stdin as unknown as { unref?: () => void } | null;
    stdin?.unref?.();
    this.#ledgerPath = join(LEDGER_DIR, `${this.#child.pid ?? process.pid}.json`);
  }

  /** End `pid` (or its process group) if the owner dies before unregistering it. */
  registerProcess(victim: Victim): void {
    this.#ledger.victims.push(victim);
    this.#send({ victim });
  }

  /** Remove `dir` when the owner dies. */
  registerDir(dir: string): void {
    this.#ledger.dirs.push(dir);
    this.#send({ dir });
  }

  /** The owner stopped cleanly: let the watchdog finish (it removes any registered dirs left). */
  close(): void {
    this.#child.stdin?.end();
    try {
      unlinkSync(this.#ledgerPath);
    } catch {
      // never written or already swept
    }
  }

  #send(message: object): void {
    this.#child.stdin?.write(`${JSON.stringify(message)}\n`);
    writeFileSync(this.#ledgerPath, JSON.stringify(this.#ledger));
  }
}
