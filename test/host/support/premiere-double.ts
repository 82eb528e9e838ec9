/**
 * A scripted DOM double of Premiere Pro's ExtendScript API (types-for-adobe Premiere/24.0 is the reference: every
 * public member here is checked against it in dom-faithfulness.test.ts). NOT Premiere: only the calls AnchorFlow
 * makes are modelled, and what they do follows the scripting guide and platform notes. Exports write real PNG
 * files into the temp folder so the host's on-disk verification runs for real.
 *
 * Members starting with `_` are test controls, not DOM.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFrame } from './extendscript-env';

export const TICKS_PER_SECOND = 254016000000;

/** Premiere's Time: ticks (a decimal string) and seconds are two views of one value. */
export class Time {
  ticks = '0';
  get seconds(): number {
    return Number(this.ticks) / TICKS_PER_SECOND;
  }
  set seconds(value: number) {
    this.ticks = String(Math.round(value * TICKS_PER_SECOND));
  }
  static _fromTicks(ticks: number): Time {
    const time = new Time();
    time.ticks = String(Math.round(ticks));
    return time;
  }
}

/** ProjectItemType constants as documented (the host compares `item.type` with them). */
export const ProjectItemType = { CLIP: 1, BIN: 2, ROOT: 3, FILE: 4 };

/** Premiere collections are array-likes with a count property (`numItems`, `numTracks`). */
function collection<T>(items: T[], countName: 'numItems' | 'numTracks'): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get(_target, key) {
      if (key === countName) return items.length;
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) return items[Number(key)];
      return undefined;
    },
  });
}

let nextNodeId = 1000;

export class ProjectItem {
  readonly nodeId = String(nextNodeId++);
  readonly _children: ProjectItem[] = [];
  _mediaPath = '';
  /** Length of the media in frames of its own rate (stills runs: one frame per file). */
  _frameCount = 0;
  _nativeFps = 25;
  _overrideFps: number | null = null;
  constructor(
    public name: string,
    public type: number,
  ) {}
  get children(): Record<string, unknown> {
    return collection(this._children, 'numItems');
  }
  get treePath(): string {
    return `\\${this.name}`;
  }
  getMediaPath(): string {
    return this._mediaPath;
  }
  createBin(name: string): ProjectItem {
    const bin = new ProjectItem(name, ProjectItemType.BIN);
    this._children.push(bin);
    return bin;
  }
  setOverrideFrameRate(fps: number): boolean {
    this._overrideFps = fps;
    return true;
  }
  isSequence(): boolean {
    return false;
  }
  _durationSeconds(): number {
    return this._frameCount / (this._overrideFps ?? this._nativeFps);
  }
}

export class TrackItem {
  readonly nodeId = String(nextNodeId++);
  mediaType = 'Video';
  type = 1;
  start: Time;
  end: Time;
  inPoint = Time._fromTicks(0);
  outPoint: Time;
  constructor(
    public name: string,
    public projectItem: ProjectItem,
    startTicks: number,
    endTicks: number,
    public _selected = false,
  ) {
    this.start = Time._fromTicks(startTicks);
    this.end = Time._fromTicks(endTicks);
    this.outPoint = Time._fromTicks(endTicks - startTicks);
  }
  get duration(): Time {
    return Time._fromTicks(Number(this.end.ticks) - Number(this.start.ticks));
  }
  isSelected(): boolean {
    return this._selected;
  }
}

export class Track {
  readonly _clips: TrackItem[] = [];
  mediaType = 'Video';
  constructor(
    public name: string,
    public id: number,
    private readonly _sequence: Sequence,
    public _locked = false,
  ) {}
  get clips(): Record<string, unknown> {
    return collection(this._clips, 'numItems');
  }
  isLocked(): boolean {
    return this._locked;
  }
  isMuted(): boolean {
    return false;
  }
  /**
   * Places an item at `time`, replacing whatever lies under it (an overwrite edit). The guide documents the time
   * as a tick string; Adobe's PProPanel sample passes seconds (a number); a Time object is also accepted.
   */
  overwriteClip(item: ProjectItem, time: string | number | Time): boolean {
    this._sequence._log.push(`V${this.id + 1}.overwriteClip(${item.name}, ${typeof time === 'object' ? 'Time' : JSON.stringify(time)})`);
    const startTicks =
      typeof time === 'string' ? Number(time) : typeof time === 'number' ? time * TICKS_PER_SECOND : Number(time.ticks);
    const endTicks = startTicks + item._durationSeconds() * TICKS_PER_SECOND;
    for (let i = this._clips.length - 1; i >= 0; i--) {
      const clip = this._clips[i];
      if (Number(clip.start.ticks) < endTicks && Number(clip.end.ticks) > startTicks) {
        this._sequence._log.push(`overwrote ${clip.name}`);
        this._clips.splice(i, 1);
      }
    }
    this._clips.push(new TrackItem(item.name, item, startTicks, endTicks));
    return true;
  }
}

export interface ExportFaults {
  /** Write one frame fewer than the range holds (e.g. an off-by-one out point). */
  dropLastFrame?: boolean;
}

export class Sequence {
  readonly _videoTracks: Track[] = [];
  readonly _log: string[] = [];
  _in: Time = Time._fromTicks(0);
  _out: Time;
  _faults: ExportFaults = {};
  /** Digits Premiere uses when numbering exported stills (unverified: the host accepts any width). */
  _stillDigits = 3;
  readonly sequenceID = 'seq-uuid-1';
  readonly id = 1;
  constructor(
    public name: string,
    public timebase: string,
    public end: string,
    public frameSizeHorizontal: number,
    public frameSizeVertical: number,
    private readonly _pixelAspect: string,
  ) {
    this._out = Time._fromTicks(Number(end));
  }
  get videoTracks(): Record<string, unknown> {
    return collection(this._videoTracks, 'numTracks');
  }
  get audioTracks(): Record<string, unknown> {
    return collection([], 'numTracks');
  }
  _addTrack(locked = false): Track {
    const track = new Track(`Video ${this._videoTracks.length + 1}`, this._videoTracks.length, this, locked);
    this._videoTracks.push(track);
    return track;
  }
  /** Selected audio track items (a linked clip selects its audio too); getSelection returns them with the video. */
  readonly _selectedAudio: TrackItem[] = [];
  getSelection(): TrackItem[] {
    const selected: TrackItem[] = [...this._selectedAudio];
    for (const track of this._videoTracks) for (const clip of track._clips) if (clip._selected) selected.push(clip);
    return selected;
  }
  getSettings(): Record<string, unknown> {
    return {
      videoPixelAspectRatio: this._pixelAspect,
      videoFrameWidth: this.frameSizeHorizontal,
      videoFrameHeight: this.frameSizeVertical,
      videoFrameRate: Time._fromTicks(Number(this.timebase)),
    };
  }
  getInPointAsTime(): Time {
    return Time._fromTicks(Number(this._in.ticks));
  }
  getOutPointAsTime(): Time {
    return Time._fromTicks(Number(this._out.ticks));
  }
  setInPoint(seconds: number): void {
    this._log.push(`setInPoint(${seconds})`);
    this._in = Time._fromTicks(seconds * TICKS_PER_SECOND);
  }
  setOutPoint(seconds: number): void {
    this._log.push(`setOutPoint(${seconds})`);
    this._out = Time._fromTicks(seconds * TICKS_PER_SECOND);
  }
  /** Frames between in and out, snapped to the frame grid as Premiere does. */
  _inOutFrames(): { first: number; count: number } {
    const tpf = Number(this.timebase);
    const first = Math.round(Number(this._in.ticks) / tpf);
    return { first, count: Math.round(Number(this._out.ticks) / tpf) - first };
  }
  /** Writes the numbered stills an export of in→out produces: name.png becomes name000.png, name001.png, ... */
  _writeStills(outputPath: string, count: number): string[] {
    const written: string[] = [];
    const ext = path.extname(outputPath);
    const stem = outputPath.slice(0, outputPath.length - ext.length);
    const total = this._faults.dropLastFrame ? count - 1 : count;
    for (let i = 0; i < total; i++) {
      const file = `${stem}${String(i).padStart(this._stillDigits, '0')}${ext}`;
      writeFrame(file);
      written.push(file);
    }
    return written;
  }
  exportAsMediaDirect(outputPath: string, presetPath: string, workAreaType?: number): string {
    this._log.push(`exportAsMediaDirect(${path.basename(outputPath)}, ${path.basename(presetPath)}, ${workAreaType})`);
    if (!fs.existsSync(presetPath)) return 'Preset not found';
    if (workAreaType !== 1) throw new Error('double models only ENCODE_IN_TO_OUT');
    this._writeStills(outputPath, this._inOutFrames().count);
    return 'No Error';
  }
}

/** Media Encoder: jobs run in another process, so frames appear on disk while the script waits ($.sleep). */
export class Encoder {
  readonly ENCODE_ENTIRE = 0;
  readonly ENCODE_IN_TO_OUT = 1;
  readonly ENCODE_WORKAREA = 2;
  _present = true;
  _framesPerTick = 4;
  readonly _pending: Array<{ write: () => boolean }> = [];
  readonly _log: string[] = [];
  launchEncoder(): boolean {
    this._log.push('launchEncoder');
    return this._present;
  }
  bind(eventName: string): void {
    this._log.push(`bind(${eventName})`);
  }
  encodeSequence(sequence: Sequence, outputPath: string, presetPath: string, workAreaType?: number, removeOnCompletion?: number): string {
    this._log.push(`encodeSequence(${path.basename(outputPath)}, ${path.basename(presetPath)}, ${workAreaType}, ${removeOnCompletion})`);
    if (!this._present) return '0';
    // AME takes the in/out at queue time; frames are written later, a few per $.sleep.
    const { count } = sequence._inOutFrames();
    const stills: string[] = [];
    const staging = fs.mkdtempSync(path.join(path.dirname(outputPath), '.ame-'));
    const staged = sequence._writeStills(path.join(staging, path.basename(outputPath)), count);
    for (const file of staged) stills.push(file);
    let done = 0;
    this._pending.push({
      write: () => {
        for (let i = 0; i < this._framesPerTick && done < stills.length; i++, done++) {
          fs.renameSync(stills[done], path.join(path.dirname(outputPath), path.basename(stills[done])));
        }
        if (done === stills.length) fs.rmSync(staging, { recursive: true, force: true });
        return done === stills.length;
      },
    });
    return 'job-1';
  }
  _tick(): void {
    for (let i = this._pending.length - 1; i >= 0; i--) if (this._pending[i].write()) this._pending.splice(i, 1);
  }
}

export class Project {
  readonly rootItem = new ProjectItem('root', ProjectItemType.ROOT);
  readonly _sequences: Sequence[] = [];
  readonly _log: string[] = [];
  activeSequence: Sequence | null = null;
  constructor(
    public path: string,
    public name: string,
  ) {}
  get sequences(): Record<string, unknown> {
    return collection(this._sequences, 'numItems');
  }
  /** Numbered stills: one item for the whole run of files numbered after the first, as Premiere does. */
  importFiles(pathList: string[], suppressUI?: boolean, bin?: ProjectItem, asNumberedStills?: boolean): boolean {
    // The array comes from the script's realm (ES3, no Array extras): copy it into this one.
    const paths = Array.from(pathList);
    this._log.push(`importFiles([${paths.map((p) => path.basename(p)).join(',')}], ${suppressUI}, ${bin ? bin.name : '-'}, ${asNumberedStills})`);
    const target = bin ?? this.rootItem;
    for (const filePath of paths) {
      if (!fs.existsSync(filePath)) return false;
      const item = new ProjectItem(path.basename(filePath), ProjectItemType.CLIP);
      item._mediaPath = filePath;
      if (asNumberedStills) {
        const match = /^(.*?)([0-9]+)(\.[^.]+)$/.exec(path.basename(filePath));
        if (!match) return false;
        let n = Number(match[2]);
        let count = 0;
        const dir = path.dirname(filePath);
        while (fs.existsSync(path.join(dir, `${match[1]}${String(n).padStart(match[2].length, '0')}${match[3]}`))) {
          count++;
          n++;
        }
        item._frameCount = count;
      } else {
        item._frameCount = 1;
      }
      target._children.push(item);
    }
    return true;
  }
}

export class Application {
  readonly version = '24.6.0';
  readonly build = '24.6.0x1';
  readonly encoder = new Encoder();
  readonly sourceMonitor = {};
  constructor(public project: Project | null) {}
  isDocumentOpen(): boolean {
    return this.project !== null;
  }
}

export interface PremiereScene {
  app: Application;
  project: Project;
  sequence: Sequence;
  tracks: Track[];
  clip: TrackItem;
  ticksPerFrame: number;
}

/**
 * A 25 fps or 29.97 fps 1920x1080 sequence with V1..V3; the original clip on V1 from frame 50 for 40 frames, and
 * another clip on V2 over part of that span when `blockV2` is set.
 */
export function premiereScene(options: { fps?: '25' | '29.97'; blockV2?: boolean; lockV3?: boolean; trackCount?: number } = {}): PremiereScene {
  const ticksPerFrame = options.fps === '29.97' ? 8475667200 : TICKS_PER_SECOND / 25;
  const project = new Project('/projects/show.prproj', 'show.prproj');
  const sequence = new Sequence('Edit 1', String(ticksPerFrame), String(ticksPerFrame * 1000), 1920, 1080, '1:1');
  project._sequences.push(sequence);
  project.activeSequence = sequence;
  const tracks: Track[] = [];
  for (let t = 0; t < (options.trackCount ?? 3); t++) tracks.push(sequence._addTrack(t === 2 && !!options.lockV3));
  const media = new ProjectItem('shot010.mov', ProjectItemType.CLIP);
  media._mediaPath = '/media/shot010.mov';
  media._frameCount = 400;
  project.rootItem._children.push(media);
  const clip = new TrackItem('shot010.mov', media, 50 * ticksPerFrame, 90 * ticksPerFrame, true);
  tracks[0]._clips.push(clip);
  if (options.blockV2) tracks[1]._clips.push(new TrackItem('title.png', media, 80 * ticksPerFrame, 120 * ticksPerFrame));
  const app = new Application(project);
  return { app, project, sequence, tracks, clip, ticksPerFrame };
}
