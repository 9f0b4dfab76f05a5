import { describe, expect, it } from 'vitest';
import { createConsole } from './console.js';
import { ConsoleConfigError } from './errors.js';
import type { ConsoleOptions } from './options.js';

const base: ConsoleOptions = {
  csrfSecret: 's'.repeat(32),
  authorize: () => undefined,
  audit: () => {},
};

function fieldOf(options: unknown): string | undefined {
  try {
    createConsole(options as ConsoleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConsoleConfigError);
    expect((error as ConsoleConfigError).code).toBe('CONSOLE_INVALID_CONFIG');
    return (error as ConsoleConfigError).field;
  }
  return undefined;
}

describe('createConsole options', () => {
  it('has no default open access: authorize and audit are required', () => {
    expect(fieldOf({ ...base, authorize: undefined })).toBe('authorize');
    expect(fieldOf({ ...base, audit: undefined })).toBe('audit');
  });

  it('needs a CSRF secret of at least 32 characters', () => {
    expect(fieldOf({ ...base, csrfSecret: 'short' })).toBe('csrfSecret');
    expect(fieldOf({ ...base, csrfSecret: undefined })).toBe('csrfSecret');
  });

  it('checks basePath, queues and limits', () => {
    expect(fieldOf({ ...base, basePath: '/ops/' })).toBe('basePath');
    expect(fieldOf({ ...base, basePath: 'ops' })).toBe('basePath');
    expect(fieldOf({ ...base, queues: [{ name: 'a', queueUrl: 'u' }] })).toBe('sqs');
    expect(fieldOf({ ...base, sqs: {}, queues: [{ name: 'a b', queueUrl: 'u' }] })).toBe('queues[0].name');
    expect(
      fieldOf({
        ...base,
        sqs: {},
        queues: [
          { name: 'a', queueUrl: 'u' },
          { name: 'a', queueUrl: 'v' },
        ],
      }),
    ).toBe('queues[1].name');
    expect(fieldOf({ ...base, sqs: {}, queues: [{ name: 'a', queueUrl: 'u', oldestAgeAlarmSeconds: 0 }] })).toBe(
      'queues[0].oldestAgeAlarmSeconds',
    );
    expect(fieldOf({ ...base, maxDeadLetters: 0 })).toBe('maxDeadLetters');
    expect(fieldOf({ ...base, requestTimeoutMs: 1.5 })).toBe('requestTimeoutMs');
    expect(fieldOf({ ...base, orders: { store: {} } })).toBe('db');
  });

  it('accepts a minimal console', () => {
    expect(fieldOf(base)).toBeUndefined();
  });
});
