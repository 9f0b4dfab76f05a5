// The core entry must stay free of the AWS SDK and kysely (optional peers): walk its import graph.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

function packagesImportedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // Statements at the start of a line only: TSDoc examples (` * import ... from '...'`) do not count.
    for (const match of source.matchAll(/^(?:import|export)\s[^;']*?from\s+'([^']+)'/gm)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(join(here, entry));
  return packages;
}

describe('entry points', () => {
  it('the core imports neither the AWS SDK nor kysely', () => {
    const imported = [...packagesImportedFrom('index.ts')];
    expect(imported.filter((name) => name.startsWith('@aws-sdk/') || name === 'kysely')).toEqual([]);
    // `@opentelemetry/api` is loaded at run time by `@checkout/core`'s `otel()` (an optional peer).
    expect(imported.sort()).toEqual(['@checkout/core', 'node:crypto']);
  });

  it('each adapter imports only its own optional peer', () => {
    expect([...packagesImportedFrom('dynamodb/index.ts')].filter((name) => name === 'kysely')).toEqual([]);
    expect([...packagesImportedFrom('kysely/index.ts')].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    expect(
      [...packagesImportedFrom('middy/index.ts')].filter((name) => name.startsWith('@aws-sdk/') || name === 'kysely'),
    ).toEqual([]);
  });
});
