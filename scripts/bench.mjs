// `pnpm bench <name>` runs bench/<name>.bench.ts against workspace sources (no build needed).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync('bench')
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''));
if (name === undefined || !available.includes(name)) {
  console.error(`usage: pnpm bench <name>   (available: ${available.join(', ') || 'none'})`);
  process.exit(2);
}
const file = `bench/${name}.bench.ts`;
if (!existsSync(file)) process.exit(2);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--conditions=@checkout/source', file, ...process.argv.slice(3)],
  { stdio: 'inherit', cwd: process.cwd() },
);
process.exit(result.status ?? 1);
