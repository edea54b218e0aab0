import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMyoError, type MyoError } from '../../src/core/errors.js';
import { parseCsv } from '../../src/evaluation/csv.js';
import { groupByPatient, readDataset, selectPatients, type DatasetSelection } from '../../src/evaluation/dataset.js';
import { parseLabels } from '../../src/evaluation/labels.js';

const WHERE = { dir: '/data/set', file: '/data/set/labels.csv' };
const ALL: DatasetSelection = { split: 'all', limitPatients: null };

function refusal(action: () => unknown): MyoError {
  try {
    action();
  } catch (error) {
    if (isMyoError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function asyncRefusal(action: () => Promise<unknown>): Promise<MyoError> {
  const error = await action().then(
    () => null,
    (e: unknown) => e,
  );
  if (isMyoError(error)) return error;
  throw new Error(`expected a coded refusal, got ${String(error)}`);
}

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps each record\'s first line', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""",plain\n"two\nlines",,last\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'plain'] },
      { line: 3, fields: ['two\nlines', '', 'last'] },
    ]);
  });

  it('skips blank lines and a byte order mark, and reads a last line without a newline', () => {
    expect(parseCsv('\ufeffa,b\n\n1,2', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    const unclosed = refusal(() => parseCsv('a,b\n1,"open\n', 'f.csv'));
    expect(unclosed.code).toBe('MYO_ERR_DATASET_INVALID');
    expect(unclosed.message).toBe('f.csv:2: a quoted field is not closed');
    expect(refusal(() => parseCsv('a,b\n"x"y,2\n', 'f.csv')).message).toMatch(/^f\.csv:2: unexpected "y" after a closing quote/);
  });
});

describe('parseLabels', () => {
  it('reads the phantom header and the layout\'s optional columns in any order', () => {
    const rows = parseLabels('label,patient_id,image,id,split_hint\n1,p1,images/a.png,a,TEST\n0,p2,"images/b,c.png",b,\n', WHERE);
    expect(rows).toEqual([
      { id: 'a', image: 'images/a.png', imagePath: '/data/set/images/a.png', patientId: 'p1', label: 1, splitHint: 'test', line: 2 },
      { id: 'b', image: 'images/b,c.png', imagePath: '/data/set/images/b,c.png', patientId: 'p2', label: 0, splitHint: '', line: 3 },
    ]);
  });

  it('refuses a header without a required column, naming the missing ones', () => {
    const error = refusal(() => parseLabels('id,image,label\na,images/a.png,1\n', WHERE));
    expect(error.code).toBe('MYO_ERR_DATASET_INVALID');
    expect(error.message).toContain('/data/set/labels.csv:1: missing column(s) patient_id');
  });

  it('refuses a bad label, naming the file, the line and the id', () => {
    const error = refusal(() => parseLabels('id,image,patient_id,label\na,images/a.png,p1,1\nb,images/b.png,p2,2\n', WHERE));
    expect(error.code).toBe('MYO_ERR_DATASET_INVALID');
    expect(error.message).toBe('/data/set/labels.csv:3: label must be 0 or 1, got "2" (id b)');
    expect(error.details).toMatchObject({ file: '/data/set/labels.csv', line: 3 });
  });

  it('refuses rows the training reader refuses too', () => {
    const header = 'id,image,patient_id,label\n';
    expect(refusal(() => parseLabels(`${header}a,images/a.png,p1,1\na,images/b.png,p2,0\n`, WHERE)).message).toContain(':3: id "a" appears twice');
    expect(refusal(() => parseLabels(`${header}a,images/a.png,,1\n`, WHERE)).message).toContain(':2: patient_id is empty');
    expect(refusal(() => parseLabels(`${header}a/b,images/a.png,p1,1\n`, WHERE)).message).toContain(':2: id "a/b"');
    expect(refusal(() => parseLabels(`${header}a,images/a.png,p1\n`, WHERE)).message).toContain(':2: the row has 3 fields, the header 4');
    expect(refusal(() => parseLabels(header, WHERE)).message).toContain('no rows');
    expect(refusal(() => parseLabels('', WHERE)).message).toContain('no header');
  });

  it('names the line a row starts on when an earlier field spans lines', () => {
    const error = refusal(() => parseLabels('id,image,patient_id,label,source\na,images/a.png,p1,1,"two\nlines"\nb,images/b.png,p2,x,\n', WHERE));
    expect(error.message).toContain('labels.csv:4: label must be 0 or 1');
  });
});

describe('selectPatients', () => {
  const rows = parseLabels(
    [
      'id,image,patient_id,label,split_hint',
      'a1,a1.png,A,0,test',
      'b1,b1.png,B,1,train',
      'a2,a2.png,A,1,test',
      'c1,c1.png,C,0,test',
      'd1,d1.png,D,1,val',
    ].join('\n'),
    WHERE,
  );

  it('groups rows by patient in order of first appearance, rows in file order', () => {
    expect(groupByPatient(rows).map((p) => [p.patientId, p.rows.map((r) => r.id)])).toEqual([
      ['A', ['a1', 'a2']],
      ['B', ['b1']],
      ['C', ['c1']],
      ['D', ['d1']],
    ]);
  });

  it('filters by split_hint and limits by patients', () => {
    expect(selectPatients(rows, { split: 'test', limitPatients: null }, 'f').map((p) => p.patientId)).toEqual(['A', 'C']);
    expect(selectPatients(rows, { split: 'val', limitPatients: null }, 'f').map((p) => p.patientId)).toEqual(['D']);
    expect(selectPatients(rows, { split: 'all', limitPatients: 2 }, 'f').map((p) => p.patientId)).toEqual(['A', 'B']);
    expect(selectPatients(rows, { split: 'test', limitPatients: 1 }, 'f').flatMap((p) => p.rows.map((r) => r.id))).toEqual(['a1', 'a2']);
  });

  it('refuses a split when a row has no hint or a patient has two', () => {
    const noHint = parseLabels('id,image,patient_id,label,split_hint\na,a.png,A,0,test\nb,b.png,B,1,\n', WHERE);
    expect(selectPatients(noHint, ALL, 'f')).toHaveLength(2);
    expect(refusal(() => selectPatients(noHint, { split: 'test', limitPatients: null }, 'f')).message).toContain('f:3: no split_hint (id b)');
    const twoHints = parseLabels('id,image,patient_id,label,split_hint\na,a.png,A,0,test\nb,b.png,A,1,train\n', WHERE);
    expect(refusal(() => selectPatients(twoHints, { split: 'test', limitPatients: null }, 'f')).message).toContain(
      'f:3: patient A is in split test (line 2) and train',
    );
  });

  it('refuses an empty selection', () => {
    const onlyTrain = parseLabels('id,image,patient_id,label,split_hint\na,a.png,A,0,train\n', WHERE);
    expect(refusal(() => selectPatients(onlyTrain, { split: 'test', limitPatients: null }, 'f')).message).toContain('no rows in split test');
  });
});

describe('readDataset', () => {
  function folder(labels: string | null, images: readonly string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'myo-dataset-'));
    mkdirSync(join(dir, 'images'));
    for (const name of images) writeFileSync(join(dir, 'images', name), 'png bytes are checked later');
    if (labels !== null) writeFileSync(join(dir, 'labels.csv'), labels);
    return dir;
  }

  it('reads a folder and confirms the images exist', async () => {
    const dir = folder('id,image,patient_id,label\na,images/a.png,p1,1\nb,images/b.png,p1,0\n', ['a.png', 'b.png']);
    const dataset = await readDataset(dir, ALL);
    expect(dataset.labelsPath).toBe(join(dir, 'labels.csv'));
    expect(dataset.totalRows).toBe(2);
    expect(dataset.patients).toHaveLength(1);
    expect(dataset.patients[0]?.rows.map((r) => r.imagePath)).toEqual([join(dir, 'images', 'a.png'), join(dir, 'images', 'b.png')]);
  });

  it('refuses a missing folder, a folder without labels.csv and a missing image, with their names', async () => {
    const missing = join(tmpdir(), 'myo-no-such-dataset');
    expect((await asyncRefusal(() => readDataset(missing, ALL))).message).toBe(`${missing}: the data-set folder does not exist`);
    const unfinished = folder(null, []);
    const noLabels = await asyncRefusal(() => readDataset(unfinished, ALL));
    expect(noLabels.code).toBe('MYO_ERR_DATASET_INVALID');
    expect(noLabels.message).toContain(`${join(unfinished, 'labels.csv')}: cannot be read`);
    const dir = folder('id,image,patient_id,label\na,images/a.png,p1,1\nb,images/b.png,p2,0\n', ['a.png']);
    expect((await asyncRefusal(() => readDataset(dir, ALL))).message).toBe(`${join(dir, 'labels.csv')}:3: image images/b.png (id b) does not exist`);
  });
});
