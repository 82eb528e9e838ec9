/**
 * After Effects: reading the project, the active comp and the selected layer (no writes). Times are in seconds.
 */
import type { HostContext } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import { secondsToFrame } from '../shared/frames';

export function requireProject(): Project {
  if (!app.project) fail('no-project', 'Open an After Effects project first.');
  return app.project;
}

export function requireComp(): CompItem {
  const item = requireProject().activeItem;
  if (!(item instanceof CompItem)) {
    fail('no-sequence', 'Open a composition in the Timeline panel (click its tab) so it is active, then try again.');
  }
  return item;
}

function selectedLayer(comp: CompItem): AVLayer {
  const layers = comp.selectedLayers;
  if (layers.length === 0) fail('no-selection', 'Select one footage layer in "' + comp.name + '", then click Capture.');
  if (layers.length > 1) fail('no-selection', layers.length + ' layers are selected: select just the one to edit, then click Capture.');
  const layer = layers[0];
  if (!(layer instanceof AVLayer) || !layer.hasVideo) {
    fail('no-selection', 'Layer "' + layer.name + '" has no video: select a footage, comp or solid layer.');
  }
  return layer;
}

function sourcePath(layer: AVLayer): string | null {
  const source = layer.source;
  if (source instanceof FootageItem && source.file) return source.file.fsName;
  return null;
}

export function readContext(): HostContext {
  const project = requireProject();
  const comp = requireComp();
  const layer = selectedLayer(comp);
  const fps = comp.frameRate;
  // A layer may extend past either end of the comp; only the part inside it can be rendered.
  const startFrame = secondsToFrame(Math.max(layer.inPoint, 0), fps);
  const endFrame = secondsToFrame(Math.min(layer.outPoint, comp.duration), fps);
  if (endFrame <= startFrame) {
    fail('no-selection', 'Layer "' + layer.name + '" is not visible inside the composition\'s duration: select a visible layer.');
  }
  const workStart = secondsToFrame(comp.workAreaStart, fps);
  return {
    app: 'AEFT',
    appVersion: String(app.version),
    projectPath: project.file ? project.file.fsName : null,
    container: {
      name: comp.name,
      id: String(comp.id),
      width: comp.width,
      height: comp.height,
      pixelAspect: comp.pixelAspect,
      fps: fps,
      durationFrames: secondsToFrame(comp.duration, fps),
    },
    selection: {
      name: layer.name,
      trackOrLayerIndex: layer.index,
      mediaPath: sourcePath(layer),
      range: { startFrame: startFrame, frameCount: endFrame - startFrame, fps: fps },
      startSeconds: startFrame / fps,
    },
    workArea: {
      startFrame: workStart,
      frameCount: secondsToFrame(comp.workAreaStart + comp.workAreaDuration, fps) - workStart,
      fps: fps,
    },
  };
}
