/**
 * Every test run gets a temp folder of its own, removed when the run ends: test files, the engine processes they
 * start, Chromium and ffmpeg all make temp folders, and some cannot clean up (a test that kills the engine
 * mid-run on purpose leaves its scratch folder). Set ANCHORFLOW_KEEP_TEST_TMP=1 to keep it for a look.
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'anchorflow-tests-'));
  // os.tmpdir() reads TMPDIR on POSIX and TEMP/TMP on Windows; the test workers and their children inherit them.
  for (const name of ['TMPDIR', 'TEMP', 'TMP']) process.env[name] = root;
  return () => {
    if (process.env.ANCHORFLOW_KEEP_TEST_TMP) console.log(`test temp folder kept: ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
