import { resolve } from 'node:path';
import { parseCsv } from './csv.js';
import { datasetError as invalid } from './dataset-error.js';

/** The columns docs/dataset-layout.md requires; the others (depth_ratio, split_hint, source) are optional. */
export const REQUIRED_COLUMNS = ['id', 'image', 'patient_id', 'label'] as const;

/** The layout's id rule: ids are also file stems (masks), so nothing that could leave a folder or need quoting. */
const ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** One image of labels.csv, checked. */
export interface DatasetRow {
  readonly id: string;
  /** The `image` column as written: a path relative to the data-set folder. */
  readonly image: string;
  /** `image` resolved against the data-set folder. */
  readonly imagePath: string;
  readonly patientId: string;
  /** 1: deep myometrial invasion; 0: none or superficial. */
  readonly label: 0 | 1;
  /** `split_hint` in lower case; empty when the column or the value is missing. */
  readonly splitHint: string;
  /** The line of labels.csv the row starts on (the header is line 1): every error about the row names it. */
  readonly line: number;
}

/**
 * Reads the text of labels.csv into checked rows, in file order. Refuses (MYO_ERR_DATASET_INVALID, naming the file
 * and line) a missing required column, a repeated column name, a row with the wrong number of fields, an empty or
 * malformed or repeated id, an empty image or patient_id, and a label other than 0 or 1, the same rules as the
 * training reader (training/myotrain/data.py), so a folder one accepts the other accepts too.
 */
export function parseLabels(text: string, where: { readonly dir: string; readonly file: string }): DatasetRow[] {
  const { dir, file } = where;
  const [header, ...records] = parseCsv(text, file);
  if (header === undefined) throw invalid(file, 1, 'the file is empty (no header row)');
  const columns = header.fields.map((name) => name.trim());
  const seenColumns = new Set<string>();
  for (const name of columns) {
    if (seenColumns.has(name)) throw invalid(file, header.line, `column "${name}" appears twice in the header`);
    seenColumns.add(name);
  }
  const missing = REQUIRED_COLUMNS.filter((name) => !seenColumns.has(name));
  if (missing.length > 0) {
    throw invalid(file, header.line, `missing column(s) ${missing.join(', ')} (the header needs at least ${REQUIRED_COLUMNS.join(',')})`);
  }
  const column = (name: string): number => columns.indexOf(name);
  const at = { id: column('id'), image: column('image'), patient: column('patient_id'), label: column('label'), split: column('split_hint') };

  const rows: DatasetRow[] = [];
  const seenIds = new Set<string>();
  for (const record of records) {
    const { line, fields } = record;
    if (fields.length !== columns.length) {
      throw invalid(file, line, `the row has ${fields.length} fields, the header ${columns.length}`);
    }
    const cell = (index: number): string => (index < 0 ? '' : (fields[index] ?? '').trim());
    const id = cell(at.id);
    if (!ID_PATTERN.test(id)) throw invalid(file, line, `id ${JSON.stringify(id)} is empty or has characters other than letters, digits, - _ .`);
    if (seenIds.has(id)) throw invalid(file, line, `id "${id}" appears twice`);
    seenIds.add(id);
    const image = cell(at.image);
    if (image === '') throw invalid(file, line, `image is empty (id ${id})`);
    const patientId = cell(at.patient);
    if (patientId === '') throw invalid(file, line, `patient_id is empty (id ${id})`);
    const label = cell(at.label);
    if (label !== '0' && label !== '1') throw invalid(file, line, `label must be 0 or 1, got ${JSON.stringify(label)} (id ${id})`);
    rows.push({
      id,
      image,
      imagePath: resolve(dir, image),
      patientId,
      label: label === '1' ? 1 : 0,
      splitHint: cell(at.split).toLowerCase(),
      line,
    });
  }
  if (rows.length === 0) throw invalid(file, header.line, 'there are no rows after the header');
  return rows;
}

