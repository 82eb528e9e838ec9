/**
 * File-system reads through ExtendScript's File/Folder (the host only reads; the panel's Node side writes).
 */
import { parseNumberedName, NumberedFile } from './frames';

/** Platform path of a folder with a trailing separator removed. */
export function folderPath(path: string): string {
  return new Folder(path).fsName;
}

export function joinPath(folder: string, name: string): string {
  const last = folder.charAt(folder.length - 1);
  return last === '/' || last === '\\' ? folder + name : folder + '/' + name;
}

export function fileExists(path: string): boolean {
  return new File(path).exists;
}

export function folderExists(path: string): boolean {
  return new Folder(path).exists;
}

/** Decoded file name (File.name is URI-encoded in ExtendScript, so "a b.png" would read "a%20b.png"). */
export function displayName(file: File | Folder): string {
  return File.decode(file.name);
}

/** Numbered files `<prefix><digits>.<extension>` directly inside a folder (unsorted). */
export function listNumberedFiles(folder: string, prefix: string, extension: string): NumberedFile[] {
  // getFiles gives null for a missing folder.
  const entries = new Folder(folder).getFiles('*.' + extension) || [];
  const found: NumberedFile[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!(entry instanceof File)) continue;
    const parsed = parseNumberedName(displayName(entry), prefix, extension);
    if (parsed) found.push(parsed);
  }
  return found;
}

/** Name without its extension and trailing digits: "frame_00012.png" gives "frame_". */
export function numberedPrefix(name: string): string {
  const match = /^(.*?)[0-9]+\.[^.]+$/.exec(name);
  return match ? match[1] : name;
}

export function extensionOf(name: string): string {
  const match = /\.([^.\/\\]+)$/.exec(name);
  return match ? match[1].toLowerCase() : '';
}
