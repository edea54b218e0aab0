import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../core/errors.js';
import { ExamRecordSchema, type ExamRecord } from './exam-record.js';

/** The first thing wrong with a candidate record, as `path: message`, or null when it is a valid ExamRecord. */
export function findRecordProblem(value: unknown): string | null {
  const first = Value.Errors(ExamRecordSchema, value).First();
  if (first) return `${first.path === '' ? '(root)' : first.path.slice(1).replace(/\//g, '.')}: ${first.message}`;
  const record = value as ExamRecord;
  // Beyond the schema: a reason explains an inconclusive exam and nothing else, so readers can rely on it.
  if (record.decision === 'inconclusive' && record.reason === null) return 'reason: an inconclusive exam needs a reason';
  if (record.decision !== 'inconclusive' && record.reason !== null) return `reason: must be null for decision ${record.decision}`;
  return null;
}

/** A record handed to save(): MYO_ERR_RECORD_INVALID when it is not one. */
export function checkRecordToSave(value: unknown): ExamRecord {
  const problem = findRecordProblem(value);
  if (problem !== null) {
    const id = typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' ? value.id : '(no id)';
    throw new MyoError('MYO_ERR_RECORD_INVALID', `exam record ${id} is malformed: ${problem}`, { id, problem });
  }
  return value as ExamRecord;
}

/** A record read back from storage: MYO_ERR_STORE naming the id when it fails the schema (damaged or foreign row). */
export function checkStoredRecord(value: unknown, id: string): ExamRecord {
  const problem = findRecordProblem(value);
  if (problem !== null) {
    throw new MyoError('MYO_ERR_STORE', `stored exam record ${id} is damaged: ${problem}`, { id, problem });
  }
  return value as ExamRecord;
}
