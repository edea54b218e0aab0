export { classRank, DEFAULT_OUTBOX_LIMITS, OUTBOX_CLASSES } from './outbox.js';
export type { Outbox, OutboxClass, OutboxEntry, OutboxEntryState, OutboxLimits, OutboxMessage, OutboxStats } from './outbox.js';
export { createMessageIdGenerator, type MessageIdSources } from './message-id.js';
export { MemoryOutbox, type MemoryOutboxOptions } from './memory-outbox.js';
export { SqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
