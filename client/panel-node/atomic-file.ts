/** Whole-file writes that readers never see half done: a temp file in the same folder, then rename. */
import { promises as fs } from 'fs';
import * as path from 'path';

let counter = 0;

export async function writeFileAtomic(file: string, bytes: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Same folder as the target: rename is atomic only within one file system.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  try {
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
}
