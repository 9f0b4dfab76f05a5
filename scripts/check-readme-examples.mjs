// Type-checks every ```ts block of each package's README.md (and examples/*), so documented code
// compiles against the current API. Each block becomes its own module in <pkg>/.readme-check/,
// compiled with the package's tsconfig (strict, source export condition). A block fenced as
// ```ts no-check is skipped (use it only for fragments that cannot stand alone, e.g. config shapes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dirs = ['packages', 'examples']
  .filter((parent) => existsSync(parent))
  .flatMap((parent) => readdirSync(parent).map((name) => join(parent, name)))
  .filter((dir) => existsSync(join(dir, 'README.md')) && existsSync(join(dir, 'tsconfig.json')));

let blocks = 0;
let failed = 0;
for (const dir of dirs) {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const found = [...readme.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm)].filter(
    (match) => !match[2].includes('no-check'),
  );
  if (found.length === 0) continue;
  const out = join(dir, '.readme-check');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  found.forEach((match, index) => {
    writeFileSync(join(out, `example-${index + 1}.ts`), `${match[3]}\nexport {};\n`);
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
console.log(`check:readme: ${blocks} example block(s) in ${dirs.length} README(s), ${failed} failing`);
process.exit(failed > 0 ? 1 : 0);
