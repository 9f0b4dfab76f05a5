import { describeStoreContract } from '../testing/store-contract.js';
import { MemoryIdempotencyStore } from './memory-store.js';

describeStoreContract('memory', async () => {
  const store = new MemoryIdempotencyStore();
  return { store, countRecords: async () => store.size };
});
