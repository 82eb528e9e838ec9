/**
 * Works out what `importResult` was pointed at: a folder of numbered PNGs, the first file of such a run, or one
 * encoded clip. Missing or empty inputs become `nothing-to-import` before either app is touched.
 */
import { fail } from './errors';
import { checkNumberedSequence, sortByNumber } from './frames';
import { displayName, extensionOf, fileExists, folderExists, joinPath, listNumberedFiles, numberedPrefix } from './files';

export interface ImportSource {
  /** First file of the still run, or the clip itself. */
  firstFile: string;
  numberedStills: boolean;
  /** Number of stills in the run (1 for a clip). */
  fileCount: number;
}

const STILL_EXTENSIONS = /^(png|tif|tiff|jpg|jpeg)$/;

function stillRun(folder: string, prefix: string, extension: string): ImportSource {
  const files = listNumberedFiles(folder, prefix, extension);
  if (files.length === 0) {
    fail('nothing-to-import', 'No numbered ' + extension.toUpperCase() + ' frames in ' + folder + ': run Propagate first, then import.');
  }
  const check = checkNumberedSequence(files, files.length);
  if (!check.ok) {
    fail('nothing-to-import', 'The result frames in ' + folder + ' are not one unbroken run (' + check.problem + '): run Propagate again.');
  }
  return { firstFile: joinPath(folder, check.names[0]), numberedStills: true, fileCount: files.length };
}

export function resolveImportSource(path: string): ImportSource {
  if (folderExists(path)) {
    const pngs = new Folder(path).getFiles('*.png') || [];
    let firstName = '';
    for (let i = 0; i < pngs.length; i++) {
      const name = displayName(pngs[i]);
      if (pngs[i] instanceof File && /[0-9]+\.png$/i.test(name) && (firstName === '' || name < firstName)) firstName = name;
    }
    if (firstName === '') fail('nothing-to-import', 'No PNG frames in ' + path + ': run Propagate first, then import.');
    return stillRun(new Folder(path).fsName, numberedPrefix(firstName), 'png');
  }
  if (!fileExists(path)) {
    fail('nothing-to-import', 'Nothing to import at ' + path + ': the file does not exist. Run Propagate first, then import.');
  }
  const file = new File(path);
  const name = displayName(file);
  const extension = extensionOf(name);
  if (STILL_EXTENSIONS.test(extension) && numberedPrefix(name) !== name) {
    const run = stillRun(file.parent.fsName, numberedPrefix(name), extension);
    // Import from the file the caller named only if it starts the run; otherwise frames before it would be lost.
    const first = sortByNumber(listNumberedFiles(file.parent.fsName, numberedPrefix(name), extension))[0];
    if (first.name !== name) {
      fail('nothing-to-import', name + ' is not the first frame of its run (' + first.name + ' is): import the folder or its first frame.');
    }
    return run;
  }
  return { firstFile: file.fsName, numberedStills: false, fileCount: 1 };
}
