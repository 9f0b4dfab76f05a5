// The rules of docs/conventions.md that a script can check, one function per rule. Each takes the
// packages found by `loadPackages(root)` (plus, for the type-level rules, a TypeScript program over
// their source from `createSourceProgram`) and returns violations; nothing here prints or exits, so
// the tests (conventions.test.ts) feed each rule a small package tree in a temp directory.
// scripts/check-conventions.mjs runs them all over the repository.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * @typedef {{ readonly pkg: string, readonly rule: string, readonly detail: string }} Violation
 * @typedef {{
 *   readonly dir: string,
 *   readonly short: string,
 *   readonly name: string,
 *   readonly manifest: Record<string, any>,
 * }} Package
 */

/** The rule names, as printed: `<package>: <rule>: <detail>`. */
export const RULES = /** @type {const} */ ({
  uniqueExports: 'unique-exports',
  durationNames: 'duration-names',
  dependencies: 'dependencies',
  readmeSections: 'readme-sections',
  testFiles: 'test-files',
  errorCodes: 'error-codes',
  noCastsInExamples: 'no-casts-in-examples',
});

/** @param {string} pkg @param {string} rule @param {string} detail @returns {Violation} */
const violation = (pkg, rule, detail) => ({ pkg, rule, detail });

/** @param {Violation} v */
export const formatViolation = (v) => `${v.pkg}: ${v.rule}: ${v.detail}`;

/** @param {string} path */
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/**
 * Every `packages/<short>` folder with a package.json, sorted by folder name.
 * @param {string} root
 * @returns {Package[]}
 */
export function loadPackages(root) {
  const parent = join(root, 'packages');
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort()
    .map((short) => {
      const dir = realpathSync(join(parent, short));
      const manifest = readJson(join(dir, 'package.json'));
      return { dir, short, name: typeof manifest.name === 'string' ? manifest.name : short, manifest };
    });
}

// ---------------------------------------------------------------------------------------------
// TypeScript program over the packages' source entry points

/**
 * The public entry points of a package: each `exports` subpath (but `./package.json`) with its
 * `@checkout/source` file. A subpath without one is returned with `source: undefined`.
 * @param {Package} pkg
 * @returns {Array<{ subpath: string, source: string | undefined }>}
 */
export function entryPoints(pkg) {
  const exportsField = pkg.manifest.exports;
  if (exportsField === undefined || exportsField === null) return [];
  /** @type {Record<string, unknown>} */
  const map =
    typeof exportsField === 'string' || !Object.keys(exportsField).every((key) => key.startsWith('.'))
      ? { '.': exportsField }
      : exportsField;
  return Object.entries(map)
    .filter(([subpath]) => subpath !== './package.json')
    .map(([subpath, target]) => {
      const conditions = typeof target === 'object' && target !== null ? Object.entries(target) : [];
      const path = conditions.find(([condition]) => condition === '@checkout/source')?.[1];
      return { subpath, source: typeof path === 'string' ? resolve(pkg.dir, path) : undefined };
    });
}

/** @param {Package} pkg */
const errorsFile = (pkg) => join(pkg.dir, 'src', 'errors.ts');

/**
 * One program over every package's source entry points and `src/errors.ts`, compiled with the
 * repository's tsconfig.base.json when there is one (so `@checkout/source` resolves workspace
 * imports to source).
 * @param {string} root
 * @param {Package[]} packages
 */
export function createSourceProgram(root, packages) {
  /** @type {ts.CompilerOptions} */
  let options = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@checkout/source'],
    strict: true,
    exactOptionalPropertyTypes: true,
    types: [],
  };
  const base = join(root, 'tsconfig.base.json');
  if (existsSync(base)) {
    const read = ts.readConfigFile(base, ts.sys.readFile);
    if (read.config !== undefined) options = ts.parseJsonConfigFileContent(read.config, ts.sys, root).options;
  }
  const files = packages.flatMap((pkg) => [
    ...entryPoints(pkg).flatMap(({ source }) => (source !== undefined && existsSync(source) ? [source] : [])),
    ...(existsSync(errorsFile(pkg)) ? [errorsFile(pkg)] : []),
  ]);
  return ts.createProgram(files, { ...options, noEmit: true, skipLibCheck: true });
}

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Symbol} symbol
 */
const resolveAlias = (checker, symbol) =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

/**
 * The names each package exports from its public entry points (types included).
 * @param {Package} pkg
 * @param {ts.Program} program
 * @returns {{ names: Map<string, ts.Symbol>, problems: string[] }}
 */
function exportsOf(pkg, program) {
  const checker = program.getTypeChecker();
  /** @type {Map<string, ts.Symbol>} */
  const names = new Map();
  /** @type {string[]} */
  const problems = [];
  for (const { subpath, source } of entryPoints(pkg)) {
    if (source === undefined) {
      problems.push(`exports["${subpath}"] has no "@checkout/source" path`);
      continue;
    }
    const file = program.getSourceFile(source);
    const moduleSymbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) {
      if (!existsSync(source))
        problems.push(`exports["${subpath}"] source ${relative(pkg.dir, source)} does not exist`);
      continue;
    }
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      if (symbol.name === 'default') continue;
      names.set(symbol.name, resolveAlias(checker, symbol));
    }
  }
  return { names, problems };
}

// ---------------------------------------------------------------------------------------------
// a. No two packages export the same name

/**
 * A name exported by two packages is a violation of each exporter; when `@checkout/core` is one of
 * them only the others are at fault (they re-export or shadow a core name).
 * @param {Package[]} packages
 * @param {ts.Program} program
 * @returns {Violation[]}
 */
export function checkUniqueExports(packages, program) {
  /** @type {Violation[]} */
  const violations = [];
  /** @type {Map<string, string[]>} */
  const exporters = new Map();
  for (const pkg of packages) {
    const { names, problems } = exportsOf(pkg, program);
    for (const problem of problems) violations.push(violation(pkg.name, RULES.uniqueExports, problem));
    for (const name of names.keys()) exporters.set(name, [...(exporters.get(name) ?? []), pkg.name]);
  }
  for (const [name, owners] of [...exporters].sort(([a], [b]) => a.localeCompare(b))) {
    if (owners.length < 2) continue;
    const blamed = owners.includes('@checkout/core') ? owners.filter((owner) => owner !== '@checkout/core') : owners;
    for (const owner of blamed) {
      const others = owners.filter((other) => other !== owner);
      violations.push(
        violation(owner, RULES.uniqueExports, `exports '${name}', also exported by ${others.join(', ')}`),
      );
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// b. Durations carry their unit in the name

/** Words that make a number option a duration. */
const DURATION_WORDS = new Set([
  'timeout',
  'timeouts',
  'interval',
  'delay',
  'delays',
  'ttl',
  'lease',
  'retention',
  'age',
  'wait',
  'duration',
  'period',
  'after',
  'backoff',
  'expiry',
  'expiration',
  'expires',
  'cooldown',
  'grace',
  'sleep',
  'heartbeat',
  'idle',
  'elapsed',
  'latency',
  'lifetime',
  'hold',
  'lag',
]);
/** A last word that makes the value something else than a duration (`maxAttempts`, `timeoutCount`, `expiresAt`). */
const NOT_DURATION_LAST = new Set([
  'count',
  'counts',
  'attempts',
  'retries',
  'bytes',
  'size',
  'length',
  'percent',
  'percentage',
  'ratio',
  'factor',
  'multiplier',
  'fraction',
  'at',
  'id',
  'index',
  'version',
  'concurrency',
  'number',
  'total',
]);
/** Inside `backoff` / `retry` objects these are durations too (`backoff.base` -> `backoff.baseMs`). */
const BACKOFF_PARENT = /backoff|retry|retries/i;
const BACKOFF_WORDS = new Set(['base', 'max', 'min', 'initial', 'cap', 'first', 'start']);

/** @param {string} name */
const words = (name) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean);

/**
 * What is wrong with the name of a number property `name` (inside a property named `parent`), or
 * `undefined`: a duration must end with `Ms` or `Seconds` (`_ms` / `_seconds` in snake-case rows),
 * and a backoff duration with `Ms` (`BackoffOptions` of core: `backoff.baseMs`, `backoff.maxMs`).
 * @param {string} name
 * @param {string | undefined} [parent]
 * @returns {string | undefined}
 */
export function durationNameProblem(name, parent) {
  const parts = words(name);
  const last = parts.at(-1);
  if (last === undefined || NOT_DURATION_LAST.has(last)) return undefined;
  const inBackoff =
    parent !== undefined && BACKOFF_PARENT.test(parent) && parts.some((word) => BACKOFF_WORDS.has(word));
  if (/(Ms|_ms)$/.test(name) || name === 'ms') return undefined;
  if (/(Seconds|_seconds)$/.test(name) || name === 'seconds') {
    return inBackoff ? 'is a backoff duration: name it ...Ms (BackoffOptions from @checkout/core)' : undefined;
  }
  if (inBackoff || parts.some((word) => DURATION_WORDS.has(word))) {
    return 'is a duration of type number: name it ...Ms or ...Seconds';
  }
  return undefined;
}

/**
 * `number`, a number literal, or a union of them with `undefined` / `null`. A numeric enum carries
 * its unit in its type (CDK's `RetentionDays`), like a CDK `Duration`: not a bare number.
 * @param {ts.Type} type
 */
function isNumberish(type) {
  const numeric = ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral;
  const isEnum = (/** @type {ts.Type} */ member) =>
    (member.flags & (ts.TypeFlags.EnumLike | ts.TypeFlags.EnumLiteral)) !== 0;
  const members = (type.isUnion() ? type.types : [type]).filter(
    (member) => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)),
  );
  return members.length > 0 && members.every((member) => (member.flags & numeric) !== 0 && !isEnum(member));
}

/**
 * Walks the public types of each package: its exported interfaces, type aliases, classes, and the
 * parameter and return types of its exported functions, into every object type, array element,
 * union member and call signature declared in the package's own `src` (types of other packages or
 * libraries are not entered: they are checked where they are declared).
 * @param {Package[]} packages
 * @param {ts.Program} program
 * @returns {Violation[]}
 */
export function checkDurationNames(packages, program) {
  const checker = program.getTypeChecker();
  /** @type {Violation[]} */
  const violations = [];
  for (const pkg of packages) {
    const src = `${join(pkg.dir, 'src')}${sep}`;
    /** @param {ts.Declaration} declaration */
    const ours = (declaration) => declaration.getSourceFile().fileName.startsWith(src);
    /** Types walked, each in a backoff context (`parent` like `backoff`) or not. */
    /** @type {Map<ts.Type, Set<boolean>>} */
    const seen = new Map();
    /** @type {Set<string>} */
    const reported = new Set();

    /** @param {ts.Signature} signature @param {string} path @param {number} depth */
    const walkSignature = (signature, path, depth) => {
      for (const parameter of signature.getParameters()) {
        walk(checker.getTypeOfSymbol(parameter), `${path}(${parameter.name})`, parameter.name, depth + 1);
      }
      walk(signature.getReturnType(), `${path}()`, undefined, depth + 1);
    };

    /**
     * @param {ts.Type} type
     * @param {string} path where the type was met, for the message
     * @param {string | undefined} parent the property name holding it (for `backoff.base`)
     * @param {number} depth
     */
    const walk = (type, path, parent, depth) => {
      const inBackoff = parent !== undefined && BACKOFF_PARENT.test(parent);
      const contexts = seen.get(type) ?? new Set();
      if (depth > 12 || contexts.has(inBackoff)) return;
      seen.set(type, contexts.add(inBackoff));
      if (type.isUnionOrIntersection()) {
        for (const member of type.types) walk(member, path, parent, depth);
        return;
      }
      if (!(type.flags & ts.TypeFlags.Object)) return;
      // Array<T>, Promise<T>, ReadonlyMap<K, V>, ...: the type arguments.
      const reference = /** @type {ts.TypeReference} */ (type);
      if (reference.target !== undefined && reference.target !== type) {
        for (const argument of checker.getTypeArguments(reference)) walk(argument, path, parent, depth + 1);
      }
      const declarations = type.getSymbol()?.getDeclarations() ?? [];
      if (!declarations.some(ours)) return;
      for (const property of checker.getPropertiesOfType(type)) {
        const declaration = property.getDeclarations()?.[0];
        if (declaration === undefined || !ours(declaration)) continue;
        const propertyType = checker.getTypeOfSymbol(property);
        const where = `${path}.${property.name}`;
        const problem = isNumberish(propertyType) ? durationNameProblem(property.name, parent) : undefined;
        if (problem !== undefined) {
          const file = relative(pkg.dir, declaration.getSourceFile().fileName);
          const key = `${file}:${declaration.getStart()}`;
          if (!reported.has(key)) {
            reported.add(key);
            const { line } = declaration.getSourceFile().getLineAndCharacterOfPosition(declaration.getStart());
            violations.push(violation(pkg.name, RULES.durationNames, `${where} (${file}:${line + 1}) ${problem}`));
          }
        }
        walk(propertyType, where, property.name, depth + 1);
      }
      for (const signature of type.getCallSignatures()) walkSignature(signature, path, depth);
      for (const signature of type.getConstructSignatures()) walkSignature(signature, `new ${path}`, depth);
    };

    // Named types first, so a violation is reported at the type's own name (`RelayOptions.timeout`).
    const exported = [...exportsOf(pkg, program).names].sort(([a], [b]) => a.localeCompare(b));
    for (const [name, symbol] of exported) {
      if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) {
        // The type's own name is the context of its properties (`BackoffOptions.base`).
        walk(checker.getDeclaredTypeOfSymbol(symbol), name, name, 0);
      }
    }
    for (const [name, symbol] of exported) {
      if (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable | ts.SymbolFlags.Class)) {
        walk(checker.getTypeOfSymbol(symbol), name, undefined, 0);
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// c. Dependencies

/**
 * The `| Peer | Range |` table of docs/conventions.md: package name -> range.
 * @param {string} markdown
 * @returns {Map<string, string>}
 */
export function parsePeerRanges(markdown) {
  /** @type {Map<string, string>} */
  const ranges = new Map();
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*Peer\s*\|\s*Range\s*\|\s*$/.test(line.trim()));
  if (header === -1) return ranges;
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim().replace(/^`|`$/g, ''));
    if (cells.length >= 2 && cells[0] && cells[1]) ranges.set(cells[0], cells[1]);
  }
  return ranges;
}

/** What a user hands us an instance of, or whose types appear in ours: a peer, never a dependency. */
const PEER_ONLY = new Set([
  'kysely',
  'pg',
  '@types/pg',
  'zod',
  'valibot',
  'arktype',
  'aws-cdk-lib',
  'constructs',
  'vitest',
  '@opentelemetry/api',
]);
/** @param {string} name */
const isPeerOnly = (name) => PEER_ONLY.has(name) || name.startsWith('@aws-sdk/client-');
/** Private use allowed by the doc: the embedded servers of @checkout/testing talk to them. */
const PRIVATE_ALLOWED = new Map([['@checkout/testing', new Set(['pg', '@aws-sdk/client-sqs'])]]);

/**
 * @param {Package[]} packages
 * @param {Map<string, string>} peerRanges from `parsePeerRanges`
 * @returns {Violation[]}
 */
export function checkDependencies(packages, peerRanges) {
  /** @type {Violation[]} */
  const violations = [];
  const add = (/** @type {Package} */ pkg, /** @type {string} */ detail) =>
    violations.push(violation(pkg.name, RULES.dependencies, detail));
  /** Ranges of peers the table does not list: one range across packages all the same. */
  /** @type {Map<string, Map<string, string[]>>} */
  const untabled = new Map();
  for (const pkg of packages) {
    /** @type {Record<string, string>} */
    const dependencies = { ...pkg.manifest.optionalDependencies, ...pkg.manifest.dependencies };
    /** @type {Record<string, string>} */
    const peers = pkg.manifest.peerDependencies ?? {};
    for (const name of Object.keys(dependencies).sort()) {
      if (name === 'zod')
        add(pkg, `zod is in dependencies: remove it (schemas are any Standard Schema; zod is no dependency)`);
      else if (isPeerOnly(name) && !PRIVATE_ALLOWED.get(pkg.name)?.has(name)) {
        add(
          pkg,
          `${name} is in dependencies: make it a peer dependency (${peerRanges.get(name) ?? 'see docs/conventions.md'})`,
        );
      }
    }
    for (const [name, range] of Object.entries(peers).sort(([a], [b]) => a.localeCompare(b))) {
      if (name === 'zod') {
        add(pkg, `zod is in peerDependencies: remove it (schemas are any Standard Schema; zod is no dependency)`);
        continue;
      }
      const wanted = peerRanges.get(name);
      if (wanted === undefined) {
        const byRange = untabled.get(name) ?? new Map();
        byRange.set(range, [...(byRange.get(range) ?? []), pkg.name]);
        untabled.set(name, byRange);
      } else if (range !== wanted) {
        add(pkg, `peer ${name} has range '${range}', docs/conventions.md says '${wanted}'`);
      }
    }
    if (
      pkg.short !== 'core' &&
      pkg.name !== '@checkout/core' &&
      pkg.manifest.dependencies?.['@checkout/core'] === undefined
    ) {
      add(pkg, `does not depend on @checkout/core (add "@checkout/core": "workspace:^" to dependencies)`);
    }
  }
  for (const [name, byRange] of untabled) {
    if (byRange.size < 2) continue;
    const summary = [...byRange].map(([range, owners]) => `'${range}' (${owners.join(', ')})`).join(', ');
    for (const owners of byRange.values()) {
      for (const owner of owners) {
        violations.push(
          violation(owner, RULES.dependencies, `peer ${name} has different ranges across packages: ${summary}`),
        );
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// d. README sections

export const README_SECTIONS = ['Guarantees', 'Install', 'Example', 'API', 'Errors'];

/**
 * The `## ` headings of a markdown text, outside code fences.
 * @param {string} markdown
 */
export function levelTwoHeadings(markdown) {
  /** @type {string[]} */
  const headings = [];
  let fence = '';
  for (const line of markdown.split('\n')) {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener !== undefined) {
      if (fence === '') fence = opener;
      else if (opener.startsWith(fence[0] ?? '') && opener.length >= fence.length) fence = '';
      continue;
    }
    if (fence !== '') continue;
    const heading = /^##\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) headings.push(heading);
  }
  return headings;
}

/**
 * @param {Package[]} packages
 * @returns {Violation[]}
 */
export function checkReadmeSections(packages) {
  /** @type {Violation[]} */
  const violations = [];
  for (const pkg of packages) {
    const path = join(pkg.dir, 'README.md');
    if (!existsSync(path)) {
      violations.push(violation(pkg.name, RULES.readmeSections, 'has no README.md'));
      continue;
    }
    const headings = levelTwoHeadings(readFileSync(path, 'utf8'));
    const missing = README_SECTIONS.filter((section) => !headings.includes(section));
    for (const section of missing) {
      violations.push(violation(pkg.name, RULES.readmeSections, `README.md has no '## ${section}' section`));
    }
    const present = headings.filter((heading) => README_SECTIONS.includes(heading));
    const firsts = present.filter((heading, index) => present.indexOf(heading) === index);
    const expected = README_SECTIONS.filter((section) => firsts.includes(section));
    if (firsts.join('|') !== expected.join('|')) {
      violations.push(
        violation(
          pkg.name,
          RULES.readmeSections,
          `README.md sections are in the order ${firsts.map((s) => `'## ${s}'`).join(', ')}; the order is ${README_SECTIONS.map((s) => `'## ${s}'`).join(', ')}`,
        ),
      );
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// e. test-support folders and type tests

const BAD_TEST_FOLDERS = new Set(['fixtures', 'testing', 'testing-support']);

/**
 * @param {string} dir
 * @returns {Array<{ path: string, isDirectory: boolean }>}
 */
const walkFiles = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.parentPath.split(sep).includes('node_modules'))
    .map((entry) => ({ path: join(entry.parentPath, entry.name), isDirectory: entry.isDirectory() }));

/**
 * @param {Package[]} packages
 * @returns {Violation[]}
 */
export function checkTestFiles(packages) {
  /** @type {Violation[]} */
  const violations = [];
  for (const pkg of packages) {
    const src = join(pkg.dir, 'src');
    const entries = existsSync(src) ? walkFiles(src) : [];
    for (const entry of entries) {
      const name = entry.path.slice(entry.path.lastIndexOf(sep) + 1);
      if (entry.isDirectory && BAD_TEST_FOLDERS.has(name)) {
        violations.push(
          violation(
            pkg.name,
            RULES.testFiles,
            `${relative(pkg.dir, entry.path)}/: test helpers live in src/test-support/`,
          ),
        );
      }
    }
    if (!entries.some((entry) => !entry.isDirectory && entry.path.endsWith('.test-d.ts'))) {
      violations.push(violation(pkg.name, RULES.testFiles, 'has no src/**/*.test-d.ts type test'));
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// f. Error codes prefixed by the package

/** @param {Package} pkg `@checkout/state-machine` -> `STATE_MACHINE_` */
export const errorCodePrefix = (pkg) => `${pkg.short.toUpperCase().replace(/-/g, '_')}_`;

/**
 * The string literals of every `...ErrorCode` type alias in `src/errors.ts` start with the
 * package's prefix and are upper snake case. Every package but core has such a union.
 * @param {Package[]} packages
 * @param {ts.Program} program
 * @returns {Violation[]}
 */
export function checkErrorCodes(packages, program) {
  const checker = program.getTypeChecker();
  /** @type {Violation[]} */
  const violations = [];
  for (const pkg of packages) {
    if (pkg.short === 'core') continue;
    const add = (/** @type {string} */ detail) => violations.push(violation(pkg.name, RULES.errorCodes, detail));
    const file = program.getSourceFile(errorsFile(pkg));
    if (file === undefined) {
      add('has no src/errors.ts');
      continue;
    }
    const prefix = errorCodePrefix(pkg);
    const aliases = file.statements.filter(
      (statement) => ts.isTypeAliasDeclaration(statement) && statement.name.text.endsWith('ErrorCode'),
    );
    if (aliases.length === 0) add(`src/errors.ts declares no ...ErrorCode union type`);
    for (const alias of /** @type {ts.TypeAliasDeclaration[]} */ (aliases)) {
      const type = checker.getTypeAtLocation(alias.name);
      const members = type.isUnion() ? type.types : [type];
      for (const member of members) {
        if (!member.isStringLiteral()) {
          add(`${alias.name.text} has a member '${checker.typeToString(member)}' that is not a string literal`);
        } else if (!member.value.startsWith(prefix)) {
          add(`${alias.name.text} code '${member.value}' does not start with ${prefix}`);
        } else if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(member.value)) {
          add(`${alias.name.text} code '${member.value}' is not UPPER_SNAKE_CASE`);
        }
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// g. No `as unknown as` in examples/

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'cdk.out', '.turbo', 'coverage']);
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * @param {string} dir
 * @returns {string[]}
 */
function sourceFiles(dir) {
  /** @type {string[]} */
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...sourceFiles(path));
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) files.push(path);
  }
  return files.sort();
}

/**
 * The name of the nearest package.json at or above `file` (up to `stop`), else the folder path.
 * @param {string} file
 * @param {string} stop
 */
function owningPackage(file, stop) {
  for (let dir = dirname(file); dir.startsWith(stop); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return readJson(manifest).name ?? relative(stop, dir);
    if (dir === stop) break;
  }
  return relative(dirname(stop), dirname(file));
}

/**
 * @param {string} root
 * @returns {Violation[]}
 */
export function checkExampleCasts(root) {
  const examples = join(root, 'examples');
  if (!existsSync(examples)) return [];
  /** @type {Violation[]} */
  const violations = [];
  for (const file of sourceFiles(examples)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (/\bas\s+unknown\s+as\b/.test(line)) {
        violations.push(
          violation(
            owningPackage(file, examples),
            RULES.noCastsInExamples,
            `${relative(root, file)}:${index + 1}: 'as unknown as' (examples show typed use: no double casts)`,
          ),
        );
      }
    });
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------

/**
 * Every rule over the repository at `root`.
 * @param {string} root
 * @returns {Violation[]}
 */
export function checkConventions(root) {
  const packages = loadPackages(root);
  const program = createSourceProgram(root, packages);
  const conventions = join(root, 'docs', 'conventions.md');
  /** @type {Violation[]} */
  const violations = [];
  const peerRanges = existsSync(conventions) ? parsePeerRanges(readFileSync(conventions, 'utf8')) : new Map();
  if (peerRanges.size === 0) {
    violations.push(violation('docs/conventions.md', RULES.dependencies, "has no '| Peer | Range |' table"));
  }
  violations.push(
    ...checkUniqueExports(packages, program),
    ...checkDurationNames(packages, program),
    ...checkDependencies(packages, peerRanges),
    ...checkReadmeSections(packages),
    ...checkTestFiles(packages),
    ...checkErrorCodes(packages, program),
    ...checkExampleCasts(root),
  );
  return violations;
}
