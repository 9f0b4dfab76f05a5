// `pnpm check:conventions`: the rules of docs/conventions.md that a script can check (the rules
// themselves are in scripts/conventions/rules.mjs, tested by scripts/conventions/conventions.test.ts).
// Prints one line per violation, `<package>: <rule>: <detail>`, then a count per rule; exits 1 if any.
import { resolve } from 'node:path';
import { checkConventions, formatViolation } from './conventions/rules.mjs';

const root = resolve(import.meta.dirname, '..');
const began = Date.now();
const violations = checkConventions(root);
for (const violation of violations) console.log(formatViolation(violation));
const seconds = ((Date.now() - began) / 1000).toFixed(1);
if (violations.length > 0) {
  /** @type {Map<string, number>} */
  const byRule = new Map();
  for (const { rule } of violations) byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  const summary = [...byRule].map(([rule, count]) => `${rule} ${count}`).join(', ');
  console.error(`\ncheck:conventions: ${violations.length} violation(s) (${summary}) in ${seconds} s`);
  process.exit(1);
}
console.log(`check:conventions: ok (${seconds} s)`);
