/**
 * Runs the built host bundle in Node's `vm` against a scripted DOUBLE of After Effects' DOM (support/
 * aftereffects-double.ts), not against After Effects. What is exercised: frame/second math, the order of DOM calls
 * (render queue, import, layer placement, undo group), the JSON returned and the error paths. What is not: AE's
 * real output-module templates and settings keys, its import of image sequences, and its render timing.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHostBundle } from './support/build';
import { useTempDirs } from './support/temp-dirs';
import { loadHostBundle, writeFrame, type ExtendScriptEnv } from './support/extendscript-env';
import { afterEffectsGlobals, afterEffectsScene, CompItem, FolderItem, FootageItem, RQItemStatus, type AfterEffectsScene } from './support/aftereffects-double';

let bundlePath = '';
const tempDir = useTempDirs('anchorflow-aeft-');

beforeAll(() => {
  bundlePath = buildHostBundle();
});

function load(scene: AfterEffectsScene): ExtendScriptEnv {
  return loadHostBundle(bundlePath, { app: scene.app, ...afterEffectsGlobals });
}

describe('getContext (After Effects double)', () => {
  it('reports the selected layer, comp and work area in frames and seconds', () => {
    const scene = afterEffectsScene();
    const result = load(scene).call('getContext');
    expect(result.ok).toBe(true);
    expect(result.value).toEqual({
      app: 'AEFT',
      appVersion: '24.6.1x3',
      projectPath: path.resolve('/projects/show.aep'),
      container: { name: 'Main', id: String(scene.comp.id), width: 1920, height: 1080, pixelAspect: 1, fps: 25, durationFrames: 500 },
      selection: {
        name: 'shot010.mov',
        trackOrLayerIndex: 2,
        mediaPath: path.resolve('/media/shot010.mov'),
        range: { startFrame: 50, frameCount: 40, fps: 25 },
        startSeconds: 2,
      },
      workArea: { startFrame: 25, frameCount: 100, fps: 25 },
    });
  });

  it('accepts the arguments as an object literal too, as the panel bridge sends them', () => {
    const env = load(afterEffectsScene());
    const range = { startFrame: 50, frameCount: 2, fps: 25 };
    const folder = tempDir();
    const raw = vm.runInContext(`AnchorFlowHost.exportFrames(${JSON.stringify({ range, folder })})`, env.context);
    expect(JSON.parse(raw)).toMatchObject({ ok: true, value: { files: ['frame_00000.png', 'frame_00001.png'] } });
  });

  it('clips a layer that starts before the comp to the comp', () => {
    const scene = afterEffectsScene();
    scene.layer.inPoint = -1;
    expect(load(scene).call('getContext').value.selection.range).toEqual({ startFrame: 0, frameCount: 90, fps: 25 });
  });

  it('fails with no-selection, no-sequence and no-project', () => {
    const scene = afterEffectsScene({ select: false });
    const result = load(scene).call('getContext');
    expect(result).toMatchObject({ ok: false, error: { code: 'no-selection' } });
    expect(result.error!.message).toContain('Select one footage layer in "Main"');
    scene.project.activeItem = scene.footage;
    expect(load(scene).call('getContext').error!.code).toBe('no-sequence');
    scene.app.project = null;
    expect(load(scene).call('getContext').error!.code).toBe('no-project');
  });
});

describe('exportFrames (After Effects double)', () => {
  const range = { startFrame: 50, frameCount: 40, fps: 25 };

  it('renders the range through the render queue with the PNG template and leaves the queue as it was', () => {
    const scene = afterEffectsScene();
    const queue = scene.project.renderQueue;
    const userItem = (queue.items.add as (c: unknown) => { render: boolean; status: number })(scene.comp);
    queue._log.length = 0;
    const folder = tempDir();
    const result = load(scene).call('exportFrames', { range, folder });
    expect(result.ok).toBe(true);
    expect(result.value.method).toBe('aeRenderQueue');
    expect(result.value.files).toHaveLength(40);
    expect(result.value.files[0]).toBe('frame_00000.png');
    expect(result.value.files[39]).toBe('frame_00039.png');
    expect(fs.readdirSync(folder).sort()).toEqual(result.value.files);
    // Time span in seconds: 50 / 25 = 2 s, 40 / 25 = 1.6 s; only our item rendered and it was removed again.
    expect(queue._log).toEqual(['items.add(Main)', 'render', 'rendered Main 2+1.6', 'rqItem(Main).remove']);
    expect(queue.numItems).toBe(1);
    expect(userItem.render).toBe(true);
    expect(userItem.status).toBe(RQItemStatus.QUEUED);
  });

  it('picks a PNG template by name at run time (localised or renamed templates)', () => {
    const scene = afterEffectsScene();
    scene.project.renderQueue._templates = ['Meilleurs paramètres', 'Séquence PNG'];
    expect(load(scene).call('exportFrames', { range, folder: tempDir() }).ok).toBe(true);
  });

  it('fails clearly when there is no PNG template', () => {
    const scene = afterEffectsScene();
    scene.project.renderQueue._templates = ['Best Settings', 'Lossless'];
    const result = load(scene).call('exportFrames', { range, folder: tempDir() });
    expect(result).toMatchObject({ ok: false, error: { code: 'export-failed' } });
    expect(result.error!.message).toContain('Output Module');
    expect(scene.project.renderQueue.numItems).toBe(0);
  });

  it('fails with frame-count-mismatch when the render writes a frame short', () => {
    const scene = afterEffectsScene();
    scene.project.renderQueue._faults.dropLastFrame = true;
    const result = load(scene).call('exportFrames', { range, folder: tempDir() });
    expect(result).toMatchObject({ ok: false, error: { code: 'frame-count-mismatch' } });
    expect(result.error!.message).toContain('expected 40 frames, found 39');
  });

  it('fails with export-failed when the render stops with an error', () => {
    const scene = afterEffectsScene();
    scene.project.renderQueue._faults.stopWithError = true;
    expect(load(scene).call('exportFrames', { range, folder: tempDir() }).error!.code).toBe('export-failed');
  });

  it('refuses a range captured at another frame rate', () => {
    const scene = afterEffectsScene();
    const result = load(scene).call('exportFrames', { range: { ...range, fps: 30 }, folder: tempDir() });
    expect(result.error!.code).toBe('export-failed');
    expect(result.error!.message).toContain('capture again');
  });
});

describe('importResult (After Effects double)', () => {
  /** What the panel sends: the captured selection and the comp it was captured from. */
  function placementOf(context: { selection: unknown; container: { id: string; name: string } }) {
    return { selection: context.selection, fps: 25, containerId: context.container.id, containerName: context.container.name };
  }

  function resultFrames(count: number): string {
    const folder = tempDir();
    for (let i = 0; i < count; i++) writeFrame(path.join(folder, `frame_${String(i).padStart(5, '0')}.png`));
    return folder;
  }

  it('imports the sequence, conforms it, and adds it directly above the original at its start, in one undo group', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const folder = resultFrames(40);
    const result = env.call('importResult', { path: path.join(folder, 'frame_00000.png'), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(result.ok).toBe(true);
    expect(result.value).toEqual({ itemName: 'frame_[00000-00039].png', trackOrLayerIndex: 2, startSeconds: 2 });
    expect(scene.project._log).toEqual(['importFile(frame_00000.png, sequence=true)', 'addFolder(AnchorFlow)']);
    expect(scene.comp._log).toEqual(['layers.add(frame_[00000-00039].png)', 'layer(frame_[00000-00039].png).startTime=2', 'layer(frame_[00000-00039].png).moveBefore(shot010.mov)']);
    expect(scene.app._undo).toEqual(['begin:AnchorFlow: import result', 'end']);
    // Layer order: Title, result, original, Background; the result spans exactly the original's frames.
    expect(scene.comp._layers.map((l) => l.name)).toEqual(['Title', 'frame_[00000-00039].png', 'shot010.mov', 'Background']);
    const added = scene.comp._layers[1];
    expect([added.inPoint, added.outPoint]).toEqual([2, 3.6]);
    const footage = scene.project._all().find((i) => i instanceof FootageItem && i.name.startsWith('frame_')) as FootageItem;
    expect(footage.mainSource.conformFrameRate).toBe(25);
    expect((footage.parentFolder as FolderItem).name).toBe('AnchorFlow');
    // The original is untouched.
    expect([scene.layer.inPoint, scene.layer.outPoint, scene.layer.startTime]).toEqual([2, 3.6, 0]);
  });

  it('imports an encoded clip as footage without a sequence flag or conform', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const clip = path.join(tempDir(), 'result.mov');
    fs.writeFileSync(clip, 'not really a movie');
    const result = env.call('importResult', { path: clip, placement: placementOf(context), binName: 'AnchorFlow' });
    expect(result.value).toEqual({ itemName: 'result.mov', trackOrLayerIndex: 2, startSeconds: 2 });
    expect(scene.project._log[0]).toBe('importFile(result.mov, sequence=false)');
    const footage = scene.project._all().find((i) => i.name === 'result.mov') as FootageItem;
    expect(footage.mainSource.conformFrameRate).toBe(0);
  });

  it('fails with nothing-to-import outside an undo group when there are no frames', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const result = env.call('importResult', { path: tempDir(), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'nothing-to-import' } });
    expect(scene.app._undo).toEqual([]);
    expect(scene.project._log).toEqual([]);
  });

  it('refuses a run with a gap, and a file that is not the first of its run', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const folder = resultFrames(5);
    fs.rmSync(path.join(folder, 'frame_00002.png'));
    const gap = env.call('importResult', { path: folder, placement: placementOf(context), binName: 'AnchorFlow' });
    expect(gap.error!.code).toBe('nothing-to-import');
    expect(gap.error!.message).toContain('jump from 1 to 3');
    const middle = env.call('importResult', { path: path.join(resultFrames(5), 'frame_00003.png'), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(middle.error!.message).toContain('not the first frame');
  });

  it('finds the original by name when layers moved, and fails when it is gone', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    scene.layer.moveToBeginning();
    const moved = env.call('importResult', { path: resultFrames(40), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(moved.value.trackOrLayerIndex).toBe(1);
    expect(scene.comp._layers[1].name).toBe('shot010.mov');
    scene.comp._layers.splice(scene.comp._layers.indexOf(scene.layer), 1);
    const gone = env.call('importResult', { path: resultFrames(40), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(gone.error!.code).toBe('no-selection');
  });

  it('refuses with wrong-container, changing nothing, when another comp is active than the one captured from', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const other = scene.project._add(new CompItem('Titles', 25, 10));
    scene.project.activeItem = other;
    const result = env.call('importResult', { path: resultFrames(40), placement: placementOf(context), binName: 'AnchorFlow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'wrong-container' } });
    expect(result.error!.message).toBe('The composition you captured from ("Main") is not active ("Titles" is): open "Main" and press Import again.');
    expect(scene.project._log).toEqual([]);
    expect(scene.app._undo).toEqual([]);
    expect(other._log).toEqual([]);
    // Back in the captured comp, the same call goes through.
    scene.project.activeItem = scene.comp;
    expect(env.call('importResult', { path: resultFrames(40), placement: placementOf(context), binName: 'AnchorFlow' }).ok).toBe(true);
  });

  it('refuses a placement without the captured comp id (an older panel)', () => {
    const scene = afterEffectsScene();
    const env = load(scene);
    const context = env.call('getContext').value;
    const result = env.call('importResult', { path: resultFrames(40), placement: { selection: context.selection, fps: 25 }, binName: 'AnchorFlow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(result.error!.message).toContain('containerId');
    expect(scene.project._log).toEqual([]);
  });
});
