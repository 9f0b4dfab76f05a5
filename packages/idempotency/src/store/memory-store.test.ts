import { describeStoreContract } from '../test-support/store-contract.js';
import { createMemoryIdempotencyStore } from './memory-store.js';

describeStoreContract('memory', async () => {
  const store = createMemoryIdempotencyStore();
  return { store, countRecords: async () => store.size };
});
