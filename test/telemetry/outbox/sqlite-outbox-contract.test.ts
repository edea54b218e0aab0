import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteOutbox } from '../../../src/telemetry/outbox/sqlite-outbox.js';
import { describeOutboxContract } from './outbox-contract.js';

const root = mkdtempSync(join(tmpdir(), 'myo-outbox-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

describeOutboxContract('SqliteOutbox', (opts) => {
  files += 1;
  return SqliteOutbox.open(join(root, `outbox-${files}.sqlite`), opts);
});
