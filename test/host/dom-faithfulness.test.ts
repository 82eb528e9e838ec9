/**
 * The Premiere Pro and After Effects DOM doubles used by the host tests are scripted stand-ins, NOT the real apps.
 * This test keeps them honest: every public member a double exposes must be declared for that class in
 * types-for-adobe (Premiere/24.0, AfterEffects/23.0), so host code cannot pass against an invented API.
 */
import { describe, expect, it } from 'vitest';
import * as ae from './support/aftereffects-double';
import * as pr from './support/premiere-double';
import { declaredMembers, undocumentedMembers } from './support/dom-declarations';
import { FileDouble, FolderDouble } from './support/extendscript-env';

const PREMIERE = 'Premiere/24.0/index.d.ts';
const AFTER_EFFECTS = 'AfterEffects/23.0/index.d.ts';

describe('Premiere double matches types-for-adobe Premiere/24.0', () => {
  const scene = pr.premiereScene();
  const cases: Array<[string, object]> = [
    ['Application', scene.app],
    ['Project', scene.project],
    ['Sequence', scene.sequence],
    ['Track', scene.tracks[0]],
    ['TrackItem', scene.clip],
    ['ProjectItem', scene.clip.projectItem],
    ['Time', scene.clip.start],
    ['Encoder', scene.app.encoder],
  ];
  for (const [className, instance] of cases) {
    it(className, () => expect(undocumentedMembers(PREMIERE, className, instance)).toEqual([]));
  }
  it('collections expose their documented counts', () => {
    expect(declaredMembers(PREMIERE, 'TrackCollection').has('numTracks')).toBe(true);
    expect(declaredMembers(PREMIERE, 'TrackItemCollection').has('numItems')).toBe(true);
    expect(declaredMembers(PREMIERE, 'ProjectItemCollection').has('numItems')).toBe(true);
  });
});

describe('After Effects double matches types-for-adobe AfterEffects/23.0', () => {
  const scene = ae.afterEffectsScene();
  const rqItem = scene.project.renderQueue.items.add as (comp: ae.CompItem) => ae.RenderQueueItem;
  const queued = rqItem(scene.comp);
  const cases: Array<[string, object]> = [
    ['Application', scene.app],
    ['Project', scene.project],
    ['CompItem', scene.comp],
    ['FootageItem', scene.footage],
    ['FolderItem', scene.project.rootFolder],
    ['AVLayer', scene.layer],
    ['RenderQueue', scene.project.renderQueue],
    ['RenderQueueItem', queued],
    ['OutputModule', queued.outputModule(1)],
    ['ImportOptions', new ae.ImportOptions()],
  ];
  for (const [className, instance] of cases) {
    it(className, () => expect(undocumentedMembers(AFTER_EFFECTS, className, instance)).toEqual([]));
  }
  it('FileSource', () => {
    const source = new ae.FileSource(new FileDouble('/x.png'), 30, scene.footage, 10);
    expect(undocumentedMembers(AFTER_EFFECTS, 'FileSource', source)).toEqual([]);
  });
  it('collection methods are documented', () => {
    expect(declaredMembers(AFTER_EFFECTS, 'LayerCollection').has('add')).toBe(true);
    expect(declaredMembers(AFTER_EFFECTS, 'RQItemCollection').has('add')).toBe(true);
    expect(declaredMembers(AFTER_EFFECTS, 'ItemCollection').has('addFolder')).toBe(true);
  });
});

describe('the faithfulness check itself', () => {
  it('reports a member Adobe does not document', () => {
    const sequence = pr.premiereScene().sequence as unknown as Record<string, unknown>;
    sequence.exportFramesMagically = () => true;
    expect(undocumentedMembers(PREMIERE, 'Sequence', sequence)).toEqual(['exportFramesMagically']);
  });
  it('File and Folder doubles expose only documented ExtendScript members', () => {
    // File/Folder are interfaces in shared/JavaScript.d.ts, not classes: checked by name list instead.
    const documented = ['fsName', 'name', 'displayName', 'exists', 'parent', 'fullName', 'absoluteURI', 'length', 'create', 'getFiles'];
    for (const instance of [new FileDouble('/a'), new FolderDouble('/b')]) {
      const members = Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).concat(Object.keys(instance));
      for (const member of members) if (member !== 'constructor') expect(documented).toContain(member);
    }
  });
});
