import { spawnSync } from 'node:child_process';
import { ServiceStartError } from '../errors.js';

/** The user and group Postgres runs as. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const USER = 'postgres';

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = spawnSync('id', [flag, USER], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return result.status === 0 && Number.isInteger(value) ? value : undefined;
}

function lookup(): RunAs | undefined {
  const uid = idOf('-u');
  const gid = idOf('-g');
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/**
 * Postgres refuses to run as root. As root, returns the unprivileged `postgres` OS user (created as
 * a system user without a home when missing); as anyone else, `undefined` (run as ourselves).
 */
export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup();
  if (existing !== undefined) return existing;
  spawnSync('groupadd', ['--system', USER], { encoding: 'utf8' });
  const created = spawnSync('useradd', ['--system', '--no-create-home', '--gid', USER, USER], { encoding: 'utf8' });
  // A concurrent start may have created it between our lookup and useradd: look again either way.
  const found = lookup();
  if (found !== undefined) return found;
  const detail = created.error?.message ?? created.stderr?.trim() ?? `exit ${created.status}`;
  throw new ServiceStartError(
    'postgres',
    `running as root, and the \`postgres\` OS user could not be created (${detail})`,
    {
      fix: 'create an unprivileged `postgres` user (`useradd --system postgres`), run as a non-root user, or set CHECKOUT_POSTGRES_URL',
      cause: created.error,
    },
  );
}
