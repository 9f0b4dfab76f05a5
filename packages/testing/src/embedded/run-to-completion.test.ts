import { describe, expect, it } from 'vitest';
import { ServiceStartError } from '../errors.js';
import { runToCompletion } from './run-to-completion.js';

const options = { cwd: process.cwd(), env: process.env, timeoutMs: 10_000, fix: 'do the thing' };

describe('runToCompletion', () => {
  it('turns a spawn error (ENOENT) into a ServiceStartError, not an unhandled error event', async () => {
    const error = await runToCompletion('postgres', '/nonexistent/initdb', [], options).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as ServiceStartError).message).toBe(
      'postgres did not start: /nonexistent/initdb could not be run (ENOENT). Fix: do the thing',
    );
  });

  it('reports a non-zero exit with the output', async () => {
    const error = await runToCompletion('postgres', '/bin/sh', ['-c', 'echo nope >&2; exit 2'], options).catch(
      (caught: unknown) => caught,
    );
    expect((error as ServiceStartError).message).toContain('sh failed (exit 2): nope');
  });

  it('kills and reports a command that outlives its time limit', async () => {
    const error = await runToCompletion('postgres', '/bin/sh', ['-c', 'sleep 30'], {
      ...options,
      timeoutMs: 100,
    }).catch((caught: unknown) => caught);
    expect((error as ServiceStartError).message).toContain('sh did not finish within 0 s');
  });

  it('resolves on exit 0', async () => {
    await expect(runToCompletion('postgres', '/bin/sh', ['-c', 'exit 0'], options)).resolves.toBeUndefined();
  });
});
