// Type-checks every ```ts block of each package's README.md (and examples/*), and every ```ts block
// of a TSDoc `@example` in its src/ (test files excepted), so documented code compiles against the
// current API. Each block becomes its own module in <pkg>/.readme-check/,
// compiled with the package's tsconfig (strict, source export condition). A block fenced as
// ```ts no-check is skipped (use it only for fragments that cannot stand alone, e.g. config shapes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const FENCE = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;

/** The fenced ts blocks of the `@example` tags of one source file, with the ` * ` comment prefix removed. */
function tsdocBlocks(text) {
  const blocks = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const body = comment[0]
      .split('\n')
      .map((line) => line.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\*\/\s*$/, ''))
      .join('\n');
    const at = body.indexOf('@example');
    if (at === -1) continue;
    blocks.push(
      ...[...body.slice(at).matchAll(FENCE)].filter((match) => !match[2].includes('no-check')).map((m) => m[3]),
    );
  }
  return blocks;
}

/** Source files of `dir/src`, tests and test support excepted. */
function sourceFiles(dir) {
  const root = join(dir, 'src');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.test(-d)?\.ts$|\.int\.test\.ts$/.test(entry.name),
    )
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${join('src', 'test-support')}`));
}

const dirs = ['packages', 'examples']
  .filter((parent) => existsSync(parent))
  .flatMap((parent) => readdirSync(parent).map((name) => join(parent, name)))
  .filter((dir) => existsSync(join(dir, 'README.md')) && existsSync(join(dir, 'tsconfig.json')));

// A guide in docs/ whose examples need a package's dependencies says so on a line of its own:
// `<!-- examples compile with: packages/<name> -->`; its blocks are then checked with that package's.
const guides = existsSync('docs')
  ? readdirSync('docs')
      .filter((name) => name.endsWith('.md'))
      .map((name) => ({ name, text: readFileSync(join('docs', name), 'utf8') }))
      .map((guide) => ({ ...guide, dir: /^<!-- examples compile with: (\S+) -->$/m.exec(guide.text)?.[1] }))
      .filter((guide) => guide.dir !== undefined)
  : [];
let blocks = 0;
let failed = 0;
for (const dir of dirs) {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const found = [...readme.matchAll(FENCE)]
    .filter((match) => !match[2].includes('no-check'))
    .map((match) => ({ name: 'readme', code: match[3] }));
  for (const guide of guides.filter((candidate) => join(candidate.dir) === join(dir))) {
    const name = `docs-${guide.name.replace(/\.md$/, '')}`;
    found.push(
      ...[...guide.text.matchAll(FENCE)]
        .filter((match) => !match[2].includes('no-check'))
        .map((match) => ({ name, code: match[3] })),
    );
  }
  for (const file of sourceFiles(dir)) {
    const name = relative(join(dir, 'src'), file).replace(/[^A-Za-z0-9]+/g, '-');
    for (const code of tsdocBlocks(readFileSync(file, 'utf8'))) found.push({ name: `tsdoc-${name}`, code });
  }
  if (found.length === 0) continue;
  const out = join(dir, '.readme-check');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  found.forEach((block, index) => {
    writeFileSync(join(out, `${block.name}-${index + 1}.ts`), `${block.code}\nexport {};\n`);
  });
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noUnusedLocals: false }, include: ['*.ts'] }),
  );
  blocks += found.length;
  try {
    execFileSync('pnpm', ['exec', 'tsc', '-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    failed += 1;
    console.error(`README examples of ${dir} do not compile (files kept in ${out})`);
    continue;
  }
  rmSync(out, { recursive: true, force: true });
}
console.log(
  `check:readme: ${blocks} example block(s) in the READMEs and TSDoc of ${dirs.length} package(s), ${failed} failing`,
);
process.exit(failed > 0 ? 1 : 0);
