import { datasetError } from './dataset-error.js';

/** One CSV record and the line of the file it starts on (1-based), so errors can point at it. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` for a quote inside a quoted field,
 * commas and line breaks allowed inside quotes, CRLF, LF or CR line ends, an optional UTF-8 byte order mark (Excel
 * writes one). Blank lines are skipped, as Python's csv reader (training's) skips them. A quote inside an unquoted
 * field is kept as a character, as Python does; text after a closing quote or an unclosed quote is refused, since
 * either means the columns can no longer be trusted. `file` only names the file in errors.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const end = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < end) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text[pos] === '"') {
        const openedOn = line;
        value = '';
        pos += 1;
        for (;;) {
          const ch = text[pos];
          if (ch === undefined) throw datasetError(file, openedOn, 'a quoted field is not closed');
          if (ch === '"') {
            if (text[pos + 1] === '"') {
              value += '"';
              pos += 2;
              continue;
            }
            pos += 1;
            break;
          }
          if (ch === '\n') line += 1;
          value += ch;
          pos += 1;
        }
        const after = text[pos];
        if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
          throw datasetError(file, line, `unexpected ${JSON.stringify(after)} after a closing quote`);
        }
      } else {
        const start = pos;
        while (pos < end && text[pos] !== ',' && text[pos] !== '\n' && text[pos] !== '\r') pos += 1;
        value = text.slice(start, pos);
      }
      fields.push(value);
      if (text[pos] === ',') {
        pos += 1;
        continue;
      }
      if (text[pos] === '\r') pos += 1;
      if (text[pos] === '\n') pos += 1;
      line += 1;
      break;
    }
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
  }
  return records;
}

