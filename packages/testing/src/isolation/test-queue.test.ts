import { describe, expect, it } from 'vitest';
import { TestingInputError } from '../errors.js';
import { createTestQueue, type TestQueueOptions } from './test-queue.js';

// Nothing listens there: a bad option must be refused before any request is sent.
const nowhere = {
  clientConfig: {
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  },
};

describe('createTestQueue options', () => {
  it.each([
    ['maxReceiveCount', { maxReceiveCount: 0 }],
    ['maxReceiveCount', { maxReceiveCount: 2.5 }],
    ['visibilityTimeoutSeconds', { visibilityTimeoutSeconds: -1 }],
    ['visibilityTimeoutSeconds', { visibilityTimeoutSeconds: 43_201 }],
    ['prefix', { prefix: 'Payments!' }],
  ] as const)('rejects a bad %s with a TestingInputError, before any request', async (field, options) => {
    const error = await createTestQueue(nowhere, options as TestQueueOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingInputError);
    expect(error).toMatchObject({ code: 'TESTING_INVALID_INPUT', field, httpStatus: 400 });
  });
});
