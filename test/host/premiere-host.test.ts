/**
 * Runs the built host bundle in Node's `vm` against a scripted DOUBLE of Premiere Pro's DOM (support/
 * premiere-double.ts), not against Premiere Pro. What is exercised: the host's time math in ticks and seconds, the
 * order of DOM calls, the JSON it returns and its error paths. What is not: Premiere's real behaviour (exact still
 * numbering, the bundled .epr preset, Media Encoder timing), which only a run inside the app can confirm.
 */
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHostBundle } from './support/build';
import { useTempDirs } from './support/temp-dirs';
import { loadHostBundle, writeFrame, type ExtendScriptEnv } from './support/extendscript-env';
import { premiereScene, ProjectItemType, Sequence, Time, TICKS_PER_SECOND, TrackItem, type PremiereScene } from './support/premiere-double';

let bundlePath = '';
const tempDir = useTempDirs('anchorflow-ppro-');

beforeAll(() => {
  bundlePath = buildHostBundle();
});

function load(scene: PremiereScene, bundle = bundlePath): ExtendScriptEnv {
  const env = loadHostBundle(bundle, { app: scene.app, Time, ProjectItemType });
  env.onSleep(() => scene.app.encoder._tick());
  return env;
}

describe('getContext (Premiere double)', () => {
  it('reports the selected clip with frame math from ticks', () => {
    const scene = premiereScene({ fps: '29.97' });
    const result = load(scene).call('getContext');
    expect(result.ok).toBe(true);
    const context = result.value;
    expect(context.app).toBe('PPRO');
    expect(context.projectPath).toBe('/projects/show.prproj');
    expect(context.container).toMatchObject({ name: 'Edit 1', width: 1920, height: 1080, pixelAspect: 1, durationFrames: 1000 });
    expect(context.container.fps).toBeCloseTo(30000 / 1001, 9);
    expect(context.selection).toMatchObject({ name: 'shot010.mov', trackOrLayerIndex: 0, mediaPath: '/media/shot010.mov' });
    expect(context.selection.range).toMatchObject({ startFrame: 50, frameCount: 40 });
    // 50 frames at 8475667200 ticks each, in seconds.
    expect(context.selection.startSeconds).toBeCloseTo((50 * 8475667200) / TICKS_PER_SECOND, 12);
    expect(context.workArea).toBeNull();
  });

  it('ignores the linked audio in the selection and refuses two video clips', () => {
    const scene = premiereScene();
    const audio = new TrackItem('shot010.mov', scene.clip.projectItem, 0, 1, true);
    audio.mediaType = 'Audio';
    scene.sequence._selectedAudio.push(audio);
    expect(load(scene).call('getContext').value.selection.trackOrLayerIndex).toBe(0);
    scene.tracks[1]._clips.push(new TrackItem('other.mov', scene.clip.projectItem, 0, 10, true));
    const result = load(scene).call('getContext');
    expect(result.error!.code).toBe('no-selection');
    expect(result.error!.message).toContain('2 video clips are selected');
  });

  it('reports in/out as the work area when they are set', () => {
    const scene = premiereScene();
    scene.sequence.setInPoint(2);
    scene.sequence.setOutPoint(6);
    expect(load(scene).call('getContext').value.workArea).toEqual({ startFrame: 50, frameCount: 100, fps: 25 });
  });

  it('fails with no-selection when no video clip is selected', () => {
    const scene = premiereScene();
    scene.clip._selected = false;
    const result = load(scene).call('getContext');
    expect(result).toMatchObject({ ok: false, error: { code: 'no-selection' } });
    expect(result.error!.message).toContain('Select one video clip');
  });

  it('fails with no-sequence and no-project', () => {
    const scene = premiereScene();
    scene.project.activeSequence = null;
    expect(load(scene).call('getContext').error!.code).toBe('no-sequence');
    scene.app.project = null;
    expect(load(scene).call('getContext').error!.code).toBe('no-project');
  });

  it('returns a JSON string, as evalScript needs', () => {
    const env = load(premiereScene());
    env.call('getContext');
    expect(typeof env.lastRaw()).toBe('string');
    expect(env.lastRaw().startsWith('{"ok":true,')).toBe(true);
  });
});

describe('exportFrames (Premiere double)', () => {
  const range = { startFrame: 50, frameCount: 40, fps: 25 };

  it('exports directly when Media Encoder is absent, restoring in/out, and verifies the frames on disk', () => {
    const scene = premiereScene();
    scene.app.encoder._present = false;
    scene.sequence.setInPoint(1);
    scene.sequence.setOutPoint(8);
    scene.sequence._log.length = 0;
    const folder = tempDir();
    const result = load(scene).call('exportFrames', { range, folder });
    expect(result.ok).toBe(true);
    expect(result.value.method).toBe('exportAsMediaDirect');
    expect(result.value.files).toHaveLength(40);
    expect(result.value.files[0]).toBe('frame_000.png');
    expect(result.value.files[39]).toBe('frame_039.png');
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.png'))).toHaveLength(40);
    // In = 50 / 25 = 2 s, out = 90 / 25 = 3.6 s; then the user's 1 s / 8 s come back.
    expect(scene.sequence._log).toEqual([
      'setInPoint(2)',
      'setOutPoint(3.6)',
      'exportAsMediaDirect(frame_.png, png-sequence.epr, 1)',
      'setInPoint(1)',
      'setOutPoint(8)',
    ]);
    expect(scene.sequence.getInPointAsTime().seconds).toBe(1);
    expect(scene.sequence.getOutPointAsTime().seconds).toBe(8);
  });

  it('uses Media Encoder when it launches and waits for its frames', () => {
    const scene = premiereScene();
    const folder = tempDir();
    const env = load(scene);
    const result = env.call('exportFrames', { range, folder });
    expect(result.ok).toBe(true);
    expect(result.value.method).toBe('ameEncodeSequence');
    expect(result.value.files).toHaveLength(40);
    expect(scene.app.encoder._log).toEqual(['launchEncoder', 'encodeSequence(frame_.png, png-sequence.epr, 1, 1)']);
    // 40 frames at 4 per poll: the host had to wait (and the vm clock moved with $.sleep).
    expect(env.sleptMs()).toBeGreaterThanOrEqual(10 * 500);
  });

  it('fails with frame-count-mismatch when a frame is missing, keeping what was written', () => {
    const scene = premiereScene();
    scene.app.encoder._present = false;
    scene.sequence._faults.dropLastFrame = true;
    const folder = tempDir();
    const result = load(scene).call('exportFrames', { range, folder });
    expect(result).toMatchObject({ ok: false, error: { code: 'frame-count-mismatch' } });
    expect(result.error!.message).toContain('expected 40 frames, found 39');
    expect(fs.readdirSync(folder)).toHaveLength(39);
  });

  it('times out on an incomplete Media Encoder job with frame-count-mismatch', () => {
    const scene = premiereScene();
    scene.sequence._faults.dropLastFrame = true;
    const env = load(scene);
    const result = env.call('exportFrames', { range, folder: tempDir() });
    expect(result.error!.code).toBe('frame-count-mismatch');
    // The wait is bounded: base 120 s + 2 s per frame.
    expect(env.sleptMs()).toBeGreaterThanOrEqual(120000 + 2000 * 40);
    expect(env.sleptMs()).toBeLessThan(120000 + 2000 * 40 + 1000);
  });

  it('refuses a folder that already holds frames, and a missing preset', () => {
    const scene = premiereScene();
    const folder = tempDir();
    writeFrame(path.join(folder, 'frame_000.png'));
    expect(load(scene).call('exportFrames', { range, folder }).error!.code).toBe('export-failed');

    const bare = tempDir();
    fs.copyFileSync(bundlePath, path.join(bare, 'anchorflow.jsx'));
    const result = load(scene, path.join(bare, 'anchorflow.jsx')).call('exportFrames', { range, folder: tempDir() });
    expect(result.error!.code).toBe('export-failed');
    expect(result.error!.message).toContain('png-sequence.epr');
  });
});

describe('importResult (Premiere double)', () => {
  function resultFrames(count: number): string {
    const folder = tempDir();
    for (let i = 0; i < count; i++) writeFrame(path.join(folder, `frame_${String(i).padStart(5, '0')}.png`));
    return folder;
  }

  function placement(scene: PremiereScene) {
    const context = load(scene).call('getContext').value;
    return { selection: context.selection, fps: context.container.fps, containerId: context.container.id, containerName: context.container.name };
  }

  it('imports numbered stills, overrides the rate and overwrites onto the free track above at the clip start', () => {
    const scene = premiereScene();
    const folder = resultFrames(40);
    const before = scene.tracks.map((t) => t._clips.map((c) => `${c.name}@${c.start.ticks}-${c.end.ticks}`));
    const result = load(scene).call('importResult', { path: folder, placement: placement(scene), binName: 'AnchorFlow' });
    expect(result.ok).toBe(true);
    expect(result.value).toEqual({ itemName: 'frame_00000.png', trackOrLayerIndex: 1, startSeconds: 2 });
    expect(scene.project._log).toEqual(['importFiles([frame_00000.png], true, AnchorFlow, true)']);
    const bin = scene.project.rootItem._children.find((c) => c.type === ProjectItemType.BIN)!;
    expect(bin.name).toBe('AnchorFlow');
    expect(bin._children[0]._overrideFps).toBe(25);
    // overwriteClip got the start as a tick string: 50 frames * 10160640000 ticks.
    expect(scene.sequence._log).toEqual(['V2.overwriteClip(frame_00000.png, "508032000000")']);
    const placed = scene.tracks[1]._clips[0];
    expect([placed.start.ticks, placed.end.ticks]).toEqual([String(50 * 10160640000), String(90 * 10160640000)]);
    // Nothing that existed was touched.
    expect(scene.tracks.map((t, i) => t._clips.filter((c) => i !== 1 || c !== placed).map((c) => `${c.name}@${c.start.ticks}-${c.end.ticks}`))).toEqual(before);
  });

  it('skips a track that is busy over the span and a locked one', () => {
    const scene = premiereScene({ blockV2: true, lockV3: true, trackCount: 4 });
    const result = load(scene).call('importResult', { path: resultFrames(40), placement: placement(scene), binName: 'AnchorFlow' });
    expect(result.value.trackOrLayerIndex).toBe(3);
    expect(scene.sequence._log.filter((l) => l.startsWith('overwrote'))).toEqual([]);
  });

  it('fails with no-free-track, explaining how to add one, before importing anything', () => {
    const scene = premiereScene({ blockV2: true, lockV3: true });
    const result = load(scene).call('importResult', { path: resultFrames(40), placement: placement(scene), binName: 'AnchorFlow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'no-free-track' } });
    expect(result.error!.message).toContain('Add Tracks');
    expect(result.error!.message).toContain('2.00 s to 3.60 s');
    expect(scene.project._log).toEqual([]);
  });

  it('fails with nothing-to-import for an empty folder or a missing file', () => {
    const scene = premiereScene();
    const context = placement(scene);
    const empty = load(scene).call('importResult', { path: tempDir(), placement: context, binName: 'AnchorFlow' });
    expect(empty.error!.code).toBe('nothing-to-import');
    const missing = load(scene).call('importResult', { path: '/no/such/frame_00000.png', placement: context, binName: 'AnchorFlow' });
    expect(missing.error!.code).toBe('nothing-to-import');
    expect(scene.project._log).toEqual([]);
  });

  it('imports an encoded clip as one file, without a frame-rate override', () => {
    const scene = premiereScene();
    const clip = path.join(tempDir(), 'result.mov');
    fs.writeFileSync(clip, 'not really a movie');
    const result = load(scene).call('importResult', { path: clip, placement: placement(scene), binName: 'AnchorFlow' });
    expect(result.value).toMatchObject({ itemName: 'result.mov', trackOrLayerIndex: 1 });
    expect(scene.project._log).toEqual(['importFiles([result.mov], true, AnchorFlow, false)']);
    const bin = scene.project.rootItem._children.find((c) => c.type === ProjectItemType.BIN)!;
    expect(bin._children[0]._overrideFps).toBeNull();
  });

  it('places at exact ticks on a 29.97 fps sequence', () => {
    const scene = premiereScene({ fps: '29.97' });
    const result = load(scene).call('importResult', { path: resultFrames(40), placement: placement(scene), binName: 'AnchorFlow' });
    expect(scene.sequence._log).toEqual([`V2.overwriteClip(frame_00000.png, "${50 * 8475667200}")`]);
    expect(result.value.startSeconds).toBeCloseTo(50 / (30000 / 1001), 12);
  });

  it('refuses with wrong-container, changing nothing, when another sequence is active than the one captured from', () => {
    const scene = premiereScene();
    const captured = placement(scene);
    const other = new Sequence('Edit 2', String(scene.ticksPerFrame), String(scene.ticksPerFrame * 1000), 1920, 1080, '1:1');
    Object.defineProperty(other, 'sequenceID', { value: 'seq-uuid-2' });
    other._addTrack();
    other._addTrack();
    scene.project._sequences.push(other);
    scene.project.activeSequence = other;
    const result = load(scene).call('importResult', { path: resultFrames(40), placement: captured, binName: 'AnchorFlow' });
    expect(result).toMatchObject({ ok: false, error: { code: 'wrong-container' } });
    expect(result.error!.message).toBe('The sequence you captured from ("Edit 1") is not active ("Edit 2" is): open "Edit 1" and press Import again.');
    expect(scene.project._log).toEqual([]);
    expect(other._log).toEqual([]);
    expect(scene.sequence._log).toEqual([]);
    scene.project.activeSequence = scene.sequence;
    expect(load(scene).call('importResult', { path: resultFrames(40), placement: captured, binName: 'AnchorFlow' }).ok).toBe(true);
  });
});
