/**
 * Folder this .jsx was loaded from, read once at load time: `$.fileName` names the running script only while the
 * manifest's ScriptPath is being evaluated, not during later evalScript calls.
 */
function readScriptFolder(): string {
  const fileName = $.fileName;
  return fileName ? new File(fileName).parent.fsName : '';
}

export const scriptFolder: string = readScriptFolder();

/** Absolute path of a file shipped next to the host script, e.g. presets/png-sequence.epr. */
export function bundledFile(relativePath: string): string {
  return scriptFolder + '/' + relativePath;
}
