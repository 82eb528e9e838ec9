/**
 * After Effects: importing the propagated result and adding it as a layer directly above the original, inside
 * one undo group. Adds a folder (if needed), a footage item and a layer; existing items are not changed.
 */
import type { ImportResultArgs, ImportResultResult, HostContext } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import { readSelection } from '../shared/args';
import { resolveImportSource } from '../shared/import-source';
import { requireCapturedContainer } from '../shared/container';
import { requireComp, requireProject } from './context';

const UNDO_NAME = 'AnchorFlow: import result';

/** The captured layer, by index when it is still there, else by a unique name. */
function findOriginalLayer(comp: CompItem, selection: HostContext['selection']): Layer {
  const index = selection.trackOrLayerIndex;
  if (index >= 1 && index <= comp.numLayers && comp.layer(index).name === selection.name) return comp.layer(index);
  let found: Layer | null = null;
  for (let i = 1; i <= comp.numLayers; i++) {
    if (comp.layer(i).name !== selection.name) continue;
    if (found) fail('no-selection', 'Several layers are named "' + selection.name + '": capture again so the layer can be found.');
    found = comp.layer(i);
  }
  if (!found) {
    fail('no-selection', 'Layer "' + selection.name + '" is not in the active composition "' + comp.name + '": open the composition it came from, then import again.');
  }
  return found;
}

function findOrCreateFolder(project: Project, name: string): FolderItem {
  for (let i = 1; i <= project.numItems; i++) {
    const item = project.item(i);
    if (item instanceof FolderItem && item.name === name && item.parentFolder === project.rootFolder) return item;
  }
  return project.items.addFolder(name);
}

export function importResult(args: ImportResultArgs): ImportResultResult {
  const project = requireProject();
  const comp = requireComp();
  requireCapturedContainer({ id: String(comp.id), name: comp.name }, args.placement, 'composition');
  const selection = readSelection(args.placement.selection);
  const original = findOriginalLayer(comp, selection);
  const source = resolveImportSource(args.path);

  app.beginUndoGroup(UNDO_NAME);
  try {
    const options = new ImportOptions(new File(source.firstFile));
    if (source.numberedStills) options.sequence = true;
    const footage = project.importFile(options);
    if (!(footage instanceof FootageItem)) fail('import-failed', 'After Effects did not import ' + source.firstFile + ' as footage.');
    // An image sequence imports at the project's default sequence rate; conform it to the captured rate.
    if (source.numberedStills) footage.mainSource.conformFrameRate = args.placement.fps;
    footage.parentFolder = findOrCreateFolder(project, args.binName);

    const layer = comp.layers.add(footage);
    layer.startTime = selection.startSeconds;
    layer.moveBefore(original);
    return { itemName: footage.name, trackOrLayerIndex: layer.index, startSeconds: layer.startTime };
  } finally {
    app.endUndoGroup();
  }
}
