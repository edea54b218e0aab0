import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** sha256 (hex) and size of a file, streamed so a large model never sits in memory twice. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const info = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), size: info.size };
}
