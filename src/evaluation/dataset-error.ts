import { MyoError } from '../core/errors.js';

/** A refusal of the data set that points at the place to fix: `file:line: problem` (line 0: the file as a whole). */
export function datasetError(file: string, line: number, problem: string, options?: { cause?: unknown }): MyoError {
  const where = line > 0 ? `${file}:${line}` : file;
  return new MyoError('MYO_ERR_DATASET_INVALID', `${where}: ${problem}`, line > 0 ? { file, line } : { file }, options);
}
