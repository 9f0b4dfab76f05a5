import { describe, expect, it } from 'vitest';
import { TestingInputError } from '../errors.js';
import { uniqueName } from './unique-name.js';

describe('uniqueName', () => {
  it('is unique and a safe identifier for schemas, tables and queues', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('t')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^t_[a-z0-9]+$/);
  });

  it('rejects a prefix that could break a SQL identifier', () => {
    expect(() => uniqueName('x"; drop schema public; --')).toThrow(TestingInputError);
    expect(() => uniqueName('')).toThrow(
      expect.objectContaining({ code: 'TESTING_INVALID_INPUT', field: 'prefix', httpStatus: 400 }),
    );
  });
});
