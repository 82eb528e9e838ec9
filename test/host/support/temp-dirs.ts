/** Temp folders for a test file: `tempDir()` makes one, and every one is removed after each test. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach } from 'vitest';

export function useTempDirs(prefix: string): () => string {
  const temps: string[] = [];
  afterEach(() => {
    while (temps.length) fs.rmSync(temps.pop()!, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
}
