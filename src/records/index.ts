export { DECISIONS, ExamRecordSchema, newExamId, type ExamRecord } from './exam-record.js';
export { DEFAULT_MAX_RECORDS, type ExamListOptions, type ExamPage, type ExamStats, type ExamStore } from './exam-store.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './list-query.js';
export { MemoryExamStore, type MemoryExamStoreOptions } from './memory-exam-store.js';
export { SqliteExamStore, type SqliteExamStoreOptions } from './sqlite-exam-store.js';
