import { runKbStoreContract } from './kb-store.contract';
import { MemoryKbStore } from './memory.kb-store';

runKbStoreContract('memory', { create: async () => new MemoryKbStore() });
