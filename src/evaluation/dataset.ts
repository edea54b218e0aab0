import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { datasetError } from './dataset-error.js';
import { parseLabels, type DatasetRow } from './labels.js';

export type SplitName = 'train' | 'val' | 'test';
/** Which rows to evaluate: one split (by `split_hint`) or every row. */
export type SplitFilter = SplitName | 'all';
export const SPLIT_FILTERS: readonly SplitFilter[] = ['test', 'val', 'train', 'all'];

export interface DatasetSelection {
  readonly split: SplitFilter;
  /** Only the first this many patients (exams), in labels.csv order; null: all of them. */
  readonly limitPatients: number | null;
}

/** The images of one patient: one exam, in labels.csv order. */
export interface PatientRows {
  readonly patientId: string;
  readonly rows: readonly DatasetRow[];
}

export interface Dataset {
  readonly dir: string;
  readonly labelsPath: string;
  /** Rows in labels.csv, before the selection. */
  readonly totalRows: number;
  readonly selection: DatasetSelection;
  /** The selected rows, grouped by patient; patients in the order they first appear, rows in file order. */
  readonly patients: readonly PatientRows[];
}

/**
 * Reads a data-set folder (docs/dataset-layout.md) for evaluation: labels.csv checked row by row, the selection
 * applied, and every selected image confirmed to exist before any model is loaded, so a broken folder fails in a
 * second and names its row instead of failing halfway through a long run.
 */
export async function readDataset(dirArg: string, selection: DatasetSelection): Promise<Dataset> {
  const dir = resolve(dirArg);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw datasetError(dir, 0, 'the data-set folder does not exist');
  const labelsPath = join(dir, 'labels.csv');
  const text = await readFile(labelsPath, 'utf8').catch((cause: unknown) => {
    throw datasetError(labelsPath, 0, 'cannot be read (a folder without labels.csv is an unfinished export)', { cause });
  });
  const rows = parseLabels(text, { dir, file: labelsPath });
  const patients = selectPatients(rows, selection, labelsPath);
  for (const patient of patients) {
    for (const row of patient.rows) {
      const image = await stat(row.imagePath).catch(() => null);
      if (!image?.isFile()) throw datasetError(labelsPath, row.line, `image ${row.image} (id ${row.id}) does not exist`);
    }
  }
  return { dir, labelsPath, totalRows: rows.length, selection, patients };
}

/**
 * Groups rows by patient and applies the selection. A split is chosen by `split_hint`, which is only meaningful when
 * every row has one and each patient has exactly one (the training pipeline's own rule); otherwise the folder has no
 * fixed split and only `all` can be evaluated. An empty selection is refused: metrics over nothing mean nothing.
 */
export function selectPatients(rows: readonly DatasetRow[], selection: DatasetSelection, file: string): PatientRows[] {
  const patients = groupByPatient(rows);
  let chosen = patients;
  if (selection.split !== 'all') {
    for (const row of rows) {
      if (row.splitHint !== 'train' && row.splitHint !== 'val' && row.splitHint !== 'test') {
        const hint = row.splitHint === '' ? 'no split_hint' : `split_hint "${row.splitHint}"`;
        throw datasetError(file, row.line, `${hint} (id ${row.id}); --split ${selection.split} needs train, val or test on every row (or use --split all)`);
      }
    }
    for (const patient of patients) {
      const first = patient.rows[0];
      const other = patient.rows.find((row) => row.splitHint !== first?.splitHint);
      if (first && other) {
        throw datasetError(file, other.line, `patient ${patient.patientId} is in split ${first.splitHint} (line ${first.line}) and ${other.splitHint}`);
      }
    }
    chosen = patients.filter((patient) => patient.rows[0]?.splitHint === selection.split);
  }
  if (selection.limitPatients !== null) chosen = chosen.slice(0, selection.limitPatients);
  if (chosen.length === 0) throw datasetError(file, 0, `no rows in split ${selection.split}`);
  return chosen;
}

/** Patients in order of first appearance, each with its rows in file order (rows of one patient need not be adjacent). */
export function groupByPatient(rows: readonly DatasetRow[]): PatientRows[] {
  const byPatient = new Map<string, DatasetRow[]>();
  for (const row of rows) {
    const list = byPatient.get(row.patientId);
    if (list) list.push(row);
    else byPatient.set(row.patientId, [row]);
  }
  return [...byPatient].map(([patientId, patientRows]) => ({ patientId, rows: patientRows }));
}
