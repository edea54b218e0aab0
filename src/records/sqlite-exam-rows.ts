import { MyoError } from '../core/errors.js';
import { ExamRecordSchema, type ExamRecord } from './exam-record.js';
import { checkStoredRecord } from './exam-record-check.js';

/** One row of the `exams` table: the columns list() sorts and filters on, and the rest of the record as JSON. */
export interface ExamRow {
  readonly id: string;
  readonly ended_at: string;
  readonly decision: string;
  readonly body: string;
}

const COLUMN_FIELDS = ['id', 'endedAt', 'decision'] as const;
const FIELD_ORDER = Object.keys(ExamRecordSchema.properties);

export function toExamRow(record: ExamRecord): ExamRow {
  const { id, endedAt, decision, ...rest } = record;
  return { id, ended_at: endedAt, decision, body: JSON.stringify(rest) };
}

/** The record a row holds, checked against the schema: MYO_ERR_STORE naming the id when the row is damaged. */
export function fromExamRow(row: ExamRow): ExamRecord {
  const damaged = (problem: string): MyoError =>
    new MyoError('MYO_ERR_STORE', `stored exam record ${row.id} is damaged: ${problem}`, { id: row.id, problem });
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch {
    throw damaged('its JSON does not parse');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw damaged('its JSON is not an object');
  // A column field inside the JSON would be silently overruled by the column: a row like that was not written here.
  const clash = COLUMN_FIELDS.find((field) => field in body);
  if (clash !== undefined) throw damaged(`its JSON repeats the column ${clash}`);
  const record = checkStoredRecord({ ...body, id: row.id, endedAt: row.ended_at, decision: row.decision }, row.id);
  // Fields in the order the schema lists them, so a record reads the same from either store and in API output.
  return Object.fromEntries(FIELD_ORDER.map((field) => [field, record[field as keyof ExamRecord]])) as unknown as ExamRecord;
}
