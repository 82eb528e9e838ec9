/**
 * Pure frame math and numbered-file checks shared by both apps (no DOM access here, so it is easy to reason about).
 */

/** Frame index nearest to a time, in a grid of `fps` frames per second. */
export function secondsToFrame(seconds: number, fps: number): number {
  return Math.round(seconds * fps);
}

export function frameToSeconds(frame: number, fps: number): number {
  return frame / fps;
}

export interface NumberedFile {
  name: string;
  number: number;
}

/**
 * Splits `frame_00012.png` into its frame number (12). Names without a trailing number, or with another
 * extension, give null. The prefix must match so that unrelated files in the folder are ignored.
 */
export function parseNumberedName(name: string, prefix: string, extension: string): NumberedFile | null {
  const lower = name.toLowerCase();
  const ext = '.' + extension.toLowerCase();
  if (lower.length <= prefix.length + ext.length) return null;
  if (lower.substring(0, prefix.length) !== prefix.toLowerCase()) return null;
  if (lower.substring(lower.length - ext.length) !== ext) return null;
  const digits = name.substring(prefix.length, name.length - ext.length);
  if (!/^[0-9]+$/.test(digits)) return null;
  return { name: name, number: parseInt(digits, 10) };
}

/** Insertion sort by frame number (ES3 has Array.prototype.sort, but a comparator-free sort would be lexical). */
export function sortByNumber(files: NumberedFile[]): NumberedFile[] {
  const sorted: NumberedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    let at = sorted.length;
    while (at > 0 && sorted[at - 1].number > files[i].number) at--;
    sorted.splice(at, 0, files[i]);
  }
  return sorted;
}

export type SequenceCheck = { ok: true; names: string[]; firstNumber: number } | { ok: false; problem: string };

/**
 * Checks that numbered files form one gap-free run of exactly `expectedCount` frames, which is what the engine
 * needs to map file i to frame startFrame + i.
 */
export function checkNumberedSequence(files: NumberedFile[], expectedCount: number): SequenceCheck {
  const sorted = sortByNumber(files);
  if (sorted.length !== expectedCount) {
    return { ok: false, problem: 'expected ' + expectedCount + ' frames, found ' + sorted.length };
  }
  const names: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i].number !== sorted[i - 1].number + 1) {
      return {
        ok: false,
        problem: 'frame numbers jump from ' + sorted[i - 1].number + ' to ' + sorted[i].number,
      };
    }
    names.push(sorted[i].name);
  }
  return { ok: true, names: names, firstNumber: sorted.length > 0 ? sorted[0].number : 0 };
}
