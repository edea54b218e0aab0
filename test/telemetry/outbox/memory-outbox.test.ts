import { MemoryOutbox } from '../../../src/telemetry/outbox/memory-outbox.js';
import { describeOutboxContract } from './outbox-contract.js';

describeOutboxContract('MemoryOutbox', (opts) => new MemoryOutbox(opts));
