import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkConventions,
  checkDependencies,
  checkDurationNames,
  checkErrorCodes,
  checkExampleCasts,
  checkReadmeSections,
  checkTestFiles,
  checkUniqueExports,
  createSourceProgram,
  durationNameProblem,
  formatViolation,
  levelTwoHeadings,
  loadPackages,
  parsePeerRanges,
} from './rules.mjs';

// Each rule gets a small repository in a temp directory: one case it must flag, one it must pass.

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

type Files = Record<string, string>;

function repo(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'check-conventions-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

interface PackageInit {
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly exports?: Record<string, string>;
}

/** A package.json for packages/<short> whose `exports` point at source files. */
function manifest(short: string, init: PackageInit = {}): string {
  const subpaths = init.exports ?? { '.': './src/index.ts' };
  return JSON.stringify({
    name: `@checkout/${short}`,
    version: '0.1.0',
    type: 'module',
    exports: {
      ...Object.fromEntries(
        Object.entries(subpaths).map(([subpath, source]) => [
          subpath,
          { '@checkout/source': source, types: './dist/index.d.ts', default: './dist/index.js' },
        ]),
      ),
      './package.json': './package.json',
    },
    dependencies: init.dependencies ?? (short === 'core' ? {} : { '@checkout/core': 'workspace:^' }),
    ...(init.peerDependencies === undefined ? {} : { peerDependencies: init.peerDependencies }),
  });
}

const README = ['# x', '## Guarantees', '## Install', '## Example', '## API', '## Errors', ''].join('\n\n');
const PEERS = '| Peer | Range |\n|---|---|\n| `kysely` | `^0.29.9` |\n| `pg` | `^8.16.0` |\n';

/** Everything a package needs to pass every rule. */
function cleanPackage(short: string, index: string, extra: Files = {}): Files {
  const prefix = short.toUpperCase().replace(/-/g, '_');
  return {
    [`packages/${short}/package.json`]: manifest(short),
    [`packages/${short}/README.md`]: README,
    [`packages/${short}/src/index.ts`]: index,
    [`packages/${short}/src/index.test-d.ts`]: 'export {};\n',
    ...(short === 'core'
      ? {}
      : { [`packages/${short}/src/errors.ts`]: `export type XErrorCode = '${prefix}_INVALID_CONFIG';\n` }),
    ...extra,
  };
}

const details = (violations: ReadonlyArray<{ pkg: string; rule: string; detail: string }>) =>
  violations.map(formatViolation);

describe('unique-exports', () => {
  it('flags a name two packages export, types included, and only the non-core exporter of a core name', () => {
    const root = repo({
      'packages/core/package.json': manifest('core'),
      'packages/core/src/index.ts': 'export interface Clock { now(): number }\n',
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/src/index.ts':
        "export type Clock = () => number;\nexport const shared = 1;\nexport * from './more.js';\n",
      'packages/outbox/src/more.ts': 'export class Other {}\n',
      'packages/workers/package.json': manifest('workers'),
      'packages/workers/src/index.ts': 'export function shared(): void {}\nexport interface Other { a: string }\n',
    });
    const packages = loadPackages(root);
    expect(details(checkUniqueExports(packages, createSourceProgram(root, packages)))).toEqual([
      "@checkout/outbox: unique-exports: exports 'Clock', also exported by @checkout/core",
      "@checkout/outbox: unique-exports: exports 'Other', also exported by @checkout/workers",
      "@checkout/workers: unique-exports: exports 'Other', also exported by @checkout/outbox",
      "@checkout/outbox: unique-exports: exports 'shared', also exported by @checkout/workers",
      "@checkout/workers: unique-exports: exports 'shared', also exported by @checkout/outbox",
    ]);
  });

  it('passes names exported by several entry points of one package, and distinct names', () => {
    const root = repo({
      'packages/idempotency/package.json': manifest('idempotency', {
        exports: { '.': './src/index.ts', './kysely': './src/kysely/index.ts' },
      }),
      'packages/idempotency/src/index.ts': 'export interface IdempotencyStore { a: string }\n',
      'packages/idempotency/src/kysely/index.ts': "export type { IdempotencyStore } from '../index.js';\n",
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/src/index.ts': 'export const createOutbox = () => 1;\n',
    });
    const packages = loadPackages(root);
    expect(checkUniqueExports(packages, createSourceProgram(root, packages))).toEqual([]);
  });

  it('flags an entry point without a @checkout/source path', () => {
    const root = repo({
      'packages/outbox/package.json': JSON.stringify({ name: '@checkout/outbox', exports: { '.': './dist/index.js' } }),
    });
    const packages = loadPackages(root);
    expect(details(checkUniqueExports(packages, createSourceProgram(root, packages)))).toEqual([
      '@checkout/outbox: unique-exports: exports["."] has no "@checkout/source" path',
    ]);
  });
});

describe('duration-names', () => {
  it('names a duration without a unit, anywhere in the public option types', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/src/index.ts': `
export interface RelayOptions {
  readonly timeout?: number;
  readonly pollInterval: number | undefined;
  readonly backoff?: { readonly base?: number; readonly maxSeconds?: number; readonly maxMs?: number };
  readonly nested?: Nested;
}
interface Nested { readonly leaseDuration: 30 | 60 }
export function createRelay(options: RelayOptions): { run(options: { readonly idleDelay?: number }): void } {
  return { run: () => { void options; } };
}
`,
    });
    const packages = loadPackages(root);
    expect(details(checkDurationNames(packages, createSourceProgram(root, packages)))).toEqual([
      '@checkout/outbox: duration-names: RelayOptions.timeout (src/index.ts:3) is a duration of type number: name it ...Ms or ...Seconds',
      '@checkout/outbox: duration-names: RelayOptions.pollInterval (src/index.ts:4) is a duration of type number: name it ...Ms or ...Seconds',
      '@checkout/outbox: duration-names: RelayOptions.backoff.base (src/index.ts:5) is a duration of type number: name it ...Ms or ...Seconds',
      '@checkout/outbox: duration-names: RelayOptions.backoff.maxSeconds (src/index.ts:5) is a backoff duration: name it ...Ms (BackoffOptions from @checkout/core)',
      '@checkout/outbox: duration-names: RelayOptions.nested.leaseDuration (src/index.ts:8) is a duration of type number: name it ...Ms or ...Seconds',
      '@checkout/outbox: duration-names: createRelay().run(options).idleDelay (src/index.ts:9) is a duration of type number: name it ...Ms or ...Seconds',
    ]);
  });

  it('flags base/max of a backoff whether reached by its type name or by a backoff property', () => {
    const root = repo({
      'packages/workers/package.json': manifest('workers'),
      'packages/workers/src/index.ts': `
export interface Delays { readonly max?: number }
export interface BackoffOptions { readonly baseSeconds?: number }
export interface ConsumerOptions { readonly backoff?: Delays; readonly limits?: Delays; readonly retry?: BackoffOptions }
`,
    });
    const packages = loadPackages(root);
    expect(details(checkDurationNames(packages, createSourceProgram(root, packages)))).toEqual([
      '@checkout/workers: duration-names: BackoffOptions.baseSeconds (src/index.ts:3) is a backoff duration: name it ...Ms (BackoffOptions from @checkout/core)',
      '@checkout/workers: duration-names: ConsumerOptions.backoff.max (src/index.ts:2) is a duration of type number: name it ...Ms or ...Seconds',
    ]);
  });

  it('passes units in names, counts and sizes, durations typed by a Duration class or an enum', () => {
    const root = repo({
      'packages/cdk/package.json': manifest('cdk'),
      'packages/cdk/src/index.ts': `
export class Duration { private constructor(readonly amount: number) {} }
export enum RetentionDays { ONE_DAY = 1, ONE_WEEK = 7 }
export interface Props {
  readonly timeout?: Duration;
  readonly logRetention?: RetentionDays;
  readonly leaseMs?: number;
  readonly visibilityTimeoutSeconds?: number;
  readonly delay_seconds: number | null;
  readonly maxAttempts?: number;
  readonly maxMessageBytes?: number;
  readonly timeoutCount?: number;
  readonly expiresAt?: number;
  readonly batchSize?: number;
  readonly waitStrategy?: string;
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number; readonly maxAttempts?: number };
}
`,
    });
    const packages = loadPackages(root);
    expect(checkDurationNames(packages, createSourceProgram(root, packages))).toEqual([]);
  });

  it('durationNameProblem: the word list', () => {
    const flagged = ['ttl', 'retention', 'maxAge', 'retryAfter', 'heartbeatEvery', 'claimTimeout', 'gracePeriod'];
    const passed = ['ttlSeconds', 'maxAgeMs', 'maxAttempts', 'maxMessageBytes', 'page', 'storage', 'afterId'];
    expect(flagged.filter((name) => durationNameProblem(name) === undefined)).toEqual([]);
    expect(passed.filter((name) => durationNameProblem(name) !== undefined)).toEqual([]);
    expect(durationNameProblem('max', 'backoff')).toBeDefined();
    expect(durationNameProblem('max', 'limits')).toBeUndefined();
  });
});

describe('dependencies', () => {
  const ranges = parsePeerRanges(`# Doc\n\n| Kind | Rule |\n|---|---|\n| Peer | x |\n\n${PEERS}\nafter\n`);

  it('parses the Peer | Range table', () => {
    expect([...ranges]).toEqual([
      ['kysely', '^0.29.9'],
      ['pg', '^8.16.0'],
    ]);
  });

  it('flags peers as dependencies, other ranges, zod, a missing @checkout/core', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox', {
        dependencies: { kysely: '^0.29.9', '@aws-sdk/client-sqs': '^3.1175.0', ulid: '^3.0.0' },
        peerDependencies: { pg: '^8.0.0', zod: '^4.0.0' },
      }),
      'packages/testing/package.json': manifest('testing', {
        dependencies: { '@checkout/core': 'workspace:^', pg: '^8.16.0', '@aws-sdk/client-dynamodb': '^3.0.0' },
        peerDependencies: { vitest: '>=4' },
      }),
      'packages/workers/package.json': manifest('workers', {
        dependencies: { '@checkout/core': 'workspace:^', zod: '^4.6.7' },
        peerDependencies: { vitest: '^5.0.0' },
      }),
    });
    expect(details(checkDependencies(loadPackages(root), ranges))).toEqual([
      '@checkout/outbox: dependencies: @aws-sdk/client-sqs is in dependencies: make it a peer dependency (see docs/conventions.md)',
      '@checkout/outbox: dependencies: kysely is in dependencies: make it a peer dependency (^0.29.9)',
      "@checkout/outbox: dependencies: peer pg has range '^8.0.0', docs/conventions.md says '^8.16.0'",
      '@checkout/outbox: dependencies: zod is in peerDependencies: remove it (schemas are any Standard Schema; zod is no dependency)',
      '@checkout/outbox: dependencies: does not depend on @checkout/core (add "@checkout/core": "workspace:^" to dependencies)',
      '@checkout/testing: dependencies: @aws-sdk/client-dynamodb is in dependencies: make it a peer dependency (see docs/conventions.md)',
      '@checkout/workers: dependencies: zod is in dependencies: remove it (schemas are any Standard Schema; zod is no dependency)',
      "@checkout/testing: dependencies: peer vitest has different ranges across packages: '>=4' (@checkout/testing), '^5.0.0' (@checkout/workers)",
      "@checkout/workers: dependencies: peer vitest has different ranges across packages: '>=4' (@checkout/testing), '^5.0.0' (@checkout/workers)",
    ]);
  });

  it('passes peers with the table ranges, private deps, and core without @checkout/core', () => {
    const root = repo({
      'packages/core/package.json': manifest('core'),
      'packages/outbox/package.json': manifest('outbox', {
        dependencies: { '@checkout/core': 'workspace:^', ulid: '^3.0.2' },
        peerDependencies: { kysely: '^0.29.9', pg: '^8.16.0', vitest: '>=4' },
      }),
      'packages/testing/package.json': manifest('testing', {
        dependencies: { '@checkout/core': 'workspace:^', pg: '^8.23.1', '@aws-sdk/client-sqs': '^3.1175.0' },
        peerDependencies: { vitest: '>=4' },
      }),
    });
    expect(checkDependencies(loadPackages(root), ranges)).toEqual([]);
  });
});

describe('readme-sections', () => {
  it('flags a missing README, a missing section and sections out of order (headings in code ignored)', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/README.md':
        '# x\n\n## Guarantees\n\n## Example\n\n## Install\n\n```md\n## API\n```\n\n## Errors\n',
      'packages/workers/package.json': manifest('workers'),
    });
    expect(details(checkReadmeSections(loadPackages(root)))).toEqual([
      "@checkout/outbox: readme-sections: README.md has no '## API' section",
      "@checkout/outbox: readme-sections: README.md sections are in the order '## Guarantees', '## Example', '## Install', '## Errors'; the order is '## Guarantees', '## Install', '## Example', '## API', '## Errors'",
      '@checkout/workers: readme-sections: has no README.md',
    ]);
  });

  it('passes the five sections in order, with other sections between', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/README.md': README.replace('## Example', '## Example\n\n## Migrations\n\n### Detail'),
    });
    expect(checkReadmeSections(loadPackages(root))).toEqual([]);
    expect(levelTwoHeadings('## A\n~~~\n## B\n~~~\n### C\n## D ##\n')).toEqual(['A', 'D']);
  });
});

describe('test-files', () => {
  it('flags fixtures/, testing/, testing-support/ folders and a package without a type test', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/src/fixtures/rows.ts': '',
      'packages/outbox/src/relay/testing/fake.ts': '',
      'packages/outbox/src/testing-support/x.ts': '',
      'packages/outbox/src/relay/relay.test.ts': '',
    });
    expect(details(checkTestFiles(loadPackages(root))).sort()).toEqual([
      '@checkout/outbox: test-files: has no src/**/*.test-d.ts type test',
      '@checkout/outbox: test-files: src/fixtures/: test helpers live in src/test-support/',
      '@checkout/outbox: test-files: src/relay/testing/: test helpers live in src/test-support/',
      '@checkout/outbox: test-files: src/testing-support/: test helpers live in src/test-support/',
    ]);
  });

  it('passes src/test-support/ and a nested *.test-d.ts', () => {
    const root = repo({
      'packages/outbox/package.json': manifest('outbox'),
      'packages/outbox/src/test-support/rows.ts': '',
      'packages/outbox/src/relay/relay.test-d.ts': '',
    });
    expect(checkTestFiles(loadPackages(root))).toEqual([]);
  });
});

describe('error-codes', () => {
  it('flags codes without the prefix or not upper snake case, and a package without an ErrorCode union', () => {
    const root = repo({
      'packages/state-machine/package.json': manifest('state-machine'),
      'packages/state-machine/src/index.ts': "export * from './errors.js';\n",
      'packages/state-machine/src/errors.ts': `
type Shared = 'STATE_MACHINE_NOT_FOUND' | 'VERSION_CONFLICT';
export type StateMachineErrorCode = 'STATE_MACHINE_INVALID_CONFIG' | 'STATE_MACHINE_badCase' | Shared;
`,
      'packages/workers/package.json': manifest('workers'),
      'packages/workers/src/errors.ts': 'export class WorkersError extends Error {}\n',
      'packages/cdk/package.json': manifest('cdk'),
    });
    const packages = loadPackages(root);
    expect(details(checkErrorCodes(packages, createSourceProgram(root, packages))).sort()).toEqual([
      '@checkout/cdk: error-codes: has no src/errors.ts',
      "@checkout/state-machine: error-codes: StateMachineErrorCode code 'STATE_MACHINE_badCase' is not UPPER_SNAKE_CASE",
      "@checkout/state-machine: error-codes: StateMachineErrorCode code 'VERSION_CONFLICT' does not start with STATE_MACHINE_",
      '@checkout/workers: error-codes: src/errors.ts declares no ...ErrorCode union type',
    ]);
  });

  it('passes prefixed codes, and core without any', () => {
    const root = repo({
      'packages/core/package.json': manifest('core'),
      'packages/cdk/package.json': manifest('cdk'),
      'packages/cdk/src/errors.ts': "export type CheckoutCdkErrorCode = 'CDK_INVALID_CONFIG' | 'CDK_INVALID_PROPS';\n",
    });
    const packages = loadPackages(root);
    expect(checkErrorCodes(packages, createSourceProgram(root, packages))).toEqual([]);
  });
});

describe('no-casts-in-examples', () => {
  it('flags every `as unknown as` in examples source and tests, with file and line', () => {
    const root = repo({
      'examples/shop/package.json': JSON.stringify({ name: '@checkout/example-shop' }),
      'examples/shop/src/a.ts': 'const a = 1;\nconst b = a as unknown as string;\n',
      'examples/shop/infra/src/b.test.ts': 'f(x as  unknown\tas Y);\n',
      'examples/shop/node_modules/dep/index.ts': 'x as unknown as Y;\n',
    });
    expect(details(checkExampleCasts(root))).toEqual([
      "@checkout/example-shop: no-casts-in-examples: examples/shop/infra/src/b.test.ts:1: 'as unknown as' (examples show typed use: no double casts)",
      "@checkout/example-shop: no-casts-in-examples: examples/shop/src/a.ts:2: 'as unknown as' (examples show typed use: no double casts)",
    ]);
  });

  it('passes typed code', () => {
    const root = repo({ 'examples/shop/src/a.ts': 'const a: unknown = 1;\nconst b = a as string;\n' });
    expect(checkExampleCasts(root)).toEqual([]);
  });
});

describe('checkConventions', () => {
  it('finds nothing in a repository that follows every rule', () => {
    const root = repo({
      'docs/conventions.md': PEERS,
      ...cleanPackage(
        'core',
        'export interface BackoffOptions { readonly baseMs?: number; readonly maxMs?: number }\n',
      ),
      ...cleanPackage(
        'outbox',
        "export * from './errors.js';\nexport const createOutbox = (o: { leaseMs: number }) => o;\n",
      ),
      'examples/shop/src/a.ts': 'export const a = 1;\n',
    });
    expect(checkConventions(root)).toEqual([]);
  });

  it('finds one violation per broken rule', () => {
    const root = repo({
      'docs/conventions.md': PEERS,
      ...cleanPackage('core', 'export const shared = 1;\n'),
      ...cleanPackage('outbox', 'export const shared = 2;\nexport interface O { readonly timeout: number }\n', {
        'packages/outbox/package.json': manifest('outbox', {
          dependencies: { '@checkout/core': 'workspace:^', kysely: '^0.29.9' },
        }),
        'packages/outbox/README.md': '## Install\n\n## Guarantees\n\n## Example\n\n## API\n\n## Errors\n',
        'packages/outbox/src/fixtures/x.ts': '',
        'packages/outbox/src/errors.ts': "export type OutboxErrorCode = 'NOT_FOUND';\n",
      }),
      'examples/shop/src/a.ts': 'export const a = 1 as unknown as string;\n',
    });
    expect(checkConventions(root).map((v) => v.rule)).toEqual([
      'unique-exports',
      'duration-names',
      'dependencies',
      'readme-sections',
      'test-files',
      'error-codes',
      'no-casts-in-examples',
    ]);
  });
});
