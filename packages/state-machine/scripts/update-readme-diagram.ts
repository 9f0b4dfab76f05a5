// pnpm --filter @checkout/state-machine diagram: rewrites the state diagram in README.md from orderMachine.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReadmeDiagram } from './readme-diagram.js';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = renderReadmeDiagram(before);
writeFileSync(path, after);
console.log(before === after ? 'README.md diagram already current' : 'README.md diagram updated');
