import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { describeExamStoreContract } from './exam-store-contract.js';

describeExamStoreContract('MemoryExamStore', (opts) => new MemoryExamStore(opts));
