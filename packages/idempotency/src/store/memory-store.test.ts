import { describeStoreContract } from '../testing/store-contract.js';
import { MemoryIdempotencyStore } from './memory-store.js';

describeStoreContract('memory', async () => ({ store: new MemoryIdempotencyStore() }));
