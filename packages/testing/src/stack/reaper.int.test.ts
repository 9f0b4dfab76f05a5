import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckoutStackInfo } from './types.js';

/** Pids whose command line contains every one of `parts` (Linux /proc). */
function processesMatching(...parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((part) => cmdline.includes(part))) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe.skipIf(process.platform !== 'linux')('no orphans', () => {
  it('ends DynamoDB Local and Postgres when the process that started them is SIGKILLed', async () => {
    const script = fileURLToPath(new URL('../test-support/stack-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@checkout/source', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const info = await new Promise<CheckoutStackInfo>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as CheckoutStackInfo);
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const dynamoPort = new URL(info.dynamodb.endpoint).port;
    const java = () => processesMatching('DynamoDBLocal', dynamoPort);
    const postgres = () => processesMatching('postgres', String(info.postgres.port));
    expect(java().length).toBeGreaterThan(0);
    expect(postgres().length).toBeGreaterThan(0);

    child.kill('SIGKILL');

    expect(await eventually(() => java().length === 0 && postgres().length === 0, 15_000)).toBe(true);
  });
});
