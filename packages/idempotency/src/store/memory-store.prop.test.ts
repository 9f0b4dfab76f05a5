// The store contract as a model (fast-check commands) on the memory store.
import { propertyRuns } from '@checkout/testing/vitest';
import { describe, it } from 'vitest';
import { checkStoreAgainstModel } from '../test-support/store-model.js';
import { createMemoryIdempotencyStore } from './memory-store.js';

describe('memory store (model)', () => {
  it('agrees with the contract model over random acquire / complete / release / expiry sequences', async () => {
    await checkStoreAgainstModel(async () => {
      const store = createMemoryIdempotencyStore();
      return { store, countRecords: async () => store.size, repeatedCompleteSucceeds: false };
    }, propertyRuns(100));
  });
});
