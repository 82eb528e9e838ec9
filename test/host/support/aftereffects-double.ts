/**
 * A scripted DOM double of After Effects' ExtendScript API (types-for-adobe AfterEffects/23.0 is the reference:
 * every public member here is checked against it in dom-faithfulness.test.ts). NOT After Effects: only the calls
 * AnchorFlow makes are modelled. Times are seconds, collections are 1-based, the render queue renders every
 * ticked item and writes real PNG files so the host's on-disk verification runs for real.
 *
 * Members starting with `_` are test controls, not DOM.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FileDouble, writeFrame } from './extendscript-env';

export const RQItemStatus = {
  DONE: 3019,
  ERR_STOPPED: 3018,
  NEEDS_OUTPUT: 3013,
  QUEUED: 3015,
  RENDERING: 3016,
  UNQUEUED: 3014,
  USER_STOPPED: 3017,
  WILL_CONTINUE: 3012,
};

let nextId = 1;

/** AE collections are 1-based array-likes with `length`. */
function oneBased<T>(items: T[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return new Proxy(extra, {
    get(target, key) {
      if (key === 'length') return items.length;
      if (typeof key === 'string' && /^[0-9]+$/.test(key)) return items[Number(key) - 1];
      return target[key as string];
    },
  });
}

export class Item {
  readonly id = nextId++;
  name: string;
  comment = '';
  label = 0;
  selected = false;
  parentFolder: FolderItem | null = null;
  constructor(name: string, public readonly typeName: string) {
    this.name = name;
  }
}

export class FolderItem extends Item {
  readonly _items: Item[] = [];
  constructor(name: string) {
    super(name, 'Folder');
  }
  get numItems(): number {
    return this._items.length;
  }
  item(index: number): Item {
    return this._items[index - 1];
  }
}

export class AVItem extends Item {
  width = 1920;
  height = 1080;
  pixelAspect = 1;
  frameRate = 25;
  duration = 10;
  hasVideo = true;
  hasAudio = false;
  get frameDuration(): number {
    return 1 / this.frameRate;
  }
}

export class FileSource {
  readonly isStill = false;
  hasAlpha = false;
  private _conformed = 0;
  constructor(
    public readonly file: FileDouble,
    public readonly nativeFrameRate: number,
    private readonly _footage: FootageItem,
    private readonly _frameCount: number,
  ) {}
  get displayFrameRate(): number {
    return this._conformed || this.nativeFrameRate;
  }
  get conformFrameRate(): number {
    return this._conformed;
  }
  /** Conforming changes the footage's rate and therefore its duration (frame count stays). */
  set conformFrameRate(fps: number) {
    this._conformed = fps;
    this._footage.frameRate = fps || this.nativeFrameRate;
    this._footage.duration = this._frameCount / this._footage.frameRate;
  }
}

export class FootageItem extends AVItem {
  mainSource!: FileSource;
  constructor(name: string, public readonly file: FileDouble | null) {
    super(name, 'Footage');
  }
}

export class Layer {
  readonly id = nextId++;
  name: string;
  enabled = true;
  locked = false;
  hasVideo = true;
  private _start = 0;
  inPoint: number;
  outPoint: number;
  constructor(
    name: string,
    public readonly containingComp: CompItem,
    inPoint: number,
    outPoint: number,
    public _selected = false,
  ) {
    this.name = name;
    this.inPoint = inPoint;
    this.outPoint = outPoint;
  }
  get index(): number {
    return this.containingComp._layers.indexOf(this) + 1;
  }
  get startTime(): number {
    return this._start;
  }
  /** Moving the start moves the layer's in and out points with it, as in the Timeline. */
  set startTime(seconds: number) {
    const delta = seconds - this._start;
    this._start = seconds;
    this.inPoint += delta;
    this.outPoint += delta;
    this.containingComp._log.push(`layer(${this.name}).startTime=${seconds}`);
  }
  moveBefore(other: Layer): void {
    const layers = this.containingComp._layers;
    layers.splice(layers.indexOf(this), 1);
    layers.splice(layers.indexOf(other), 0, this);
    this.containingComp._log.push(`layer(${this.name}).moveBefore(${other.name})`);
  }
  moveToBeginning(): void {
    const layers = this.containingComp._layers;
    layers.splice(layers.indexOf(this), 1);
    layers.unshift(this);
  }
}

export class AVLayer extends Layer {
  constructor(
    name: string,
    comp: CompItem,
    public readonly source: AVItem | null,
    inPoint: number,
    outPoint: number,
    selected = false,
  ) {
    super(name, comp, inPoint, outPoint, selected);
  }
}

export class CompItem extends AVItem {
  readonly _layers: Layer[] = [];
  readonly _log: string[] = [];
  workAreaStart = 0;
  workAreaDuration: number;
  displayStartTime = 0;
  constructor(name: string, fps: number, duration: number) {
    super(name, 'Composition');
    this.frameRate = fps;
    this.duration = duration;
    this.workAreaDuration = duration;
  }
  get numLayers(): number {
    return this._layers.length;
  }
  get selectedLayers(): Layer[] {
    return this._layers.filter((layer) => layer._selected);
  }
  get layers(): Record<string, unknown> {
    return oneBased(this._layers, {
      /** Adds the item as a new top layer starting at 0, as long as the item (or the comp, for stills). */
      add: (item: AVItem): AVLayer => {
        const layer = new AVLayer(item.name, this, item, 0, Math.min(item.duration, this.duration));
        this._layers.unshift(layer);
        this._log.push(`layers.add(${item.name})`);
        return layer;
      },
    });
  }
  layer(index: number): Layer {
    return this._layers[index - 1];
  }
}

export class ImportOptions {
  sequence = false;
  forceAlphabetical = false;
  file: FileDouble | undefined;
  constructor(file?: FileDouble) {
    this.file = file;
  }
  canImportAs(): boolean {
    return true;
  }
}

export interface RenderFaults {
  dropLastFrame?: boolean;
  /** The render stops with an error status (disk full, missing codec...). */
  stopWithError?: boolean;
}

export class OutputModule {
  _valid = true;
  _format = 'QuickTime';
  _useCompFrameNumber = true;
  _startNumber = 0;
  _file: FileDouble | null = null;
  constructor(private readonly _owner: RenderQueueItem) {}
  private _check(): void {
    // applyTemplate/setSettings replace the module: stale references fail as "Object is invalid" does in AE.
    if (!this._valid) throw new Error('Object is invalid');
  }
  get templates(): string[] {
    this._check();
    return this._owner._queue._templates.slice();
  }
  get file(): FileDouble | null {
    this._check();
    return this._file;
  }
  set file(file: FileDouble | null) {
    this._check();
    this._file = file;
  }
  applyTemplate(name: string): void {
    this._check();
    if (this._owner._queue._templates.indexOf(name) < 0) throw new Error(`Template "${name}" not found`);
    this._owner._replaceModule({ _format: /png/i.test(name) ? 'PNG Sequence' : name });
  }
  setSettings(settings: Record<string, unknown>): void {
    this._check();
    const patch: Partial<OutputModule> = {};
    if ('Use Comp Frame Number' in settings) patch._useCompFrameNumber = String(settings['Use Comp Frame Number']) === 'true';
    if ('Starting #' in settings) patch._startNumber = Number(settings['Starting #']);
    this._owner._replaceModule(patch);
  }
}

export class RenderQueueItem {
  render = true;
  status = RQItemStatus.QUEUED;
  timeSpanStart = 0;
  timeSpanDuration: number;
  private _module: OutputModule;
  constructor(
    public readonly comp: CompItem,
    readonly _queue: RenderQueue,
  ) {
    this.timeSpanDuration = comp.duration;
    this._module = new OutputModule(this);
  }
  get numOutputModules(): number {
    return 1;
  }
  outputModule(index: number): OutputModule {
    if (index !== 1) throw new Error('double has one output module');
    return this._module;
  }
  _replaceModule(patch: Partial<OutputModule>): void {
    const next = new OutputModule(this);
    next._format = this._module._format;
    next._useCompFrameNumber = this._module._useCompFrameNumber;
    next._startNumber = this._module._startNumber;
    next._file = this._module._file;
    Object.assign(next, patch);
    this._module._valid = false;
    this._module = next;
  }
  remove(): void {
    this._queue._items.splice(this._queue._items.indexOf(this), 1);
    this._queue._log.push(`rqItem(${this.comp.name}).remove`);
  }
  /** Writes the frames of the time span, numbered per the module's settings, replacing [#####]. */
  _renderFrames(faults: RenderFaults): void {
    const om = this._module;
    if (!om._file) throw new Error('Output module has no file');
    if (om._format !== 'PNG Sequence') throw new Error(`double renders only PNG sequences, not ${om._format}`);
    const fps = this.comp.frameRate;
    const firstCompFrame = Math.round(this.timeSpanStart * fps);
    const count = Math.round(this.timeSpanDuration * fps) - (faults.dropLastFrame ? 1 : 0);
    const template = om._file.fsName;
    for (let i = 0; i < count; i++) {
      const number = om._useCompFrameNumber ? firstCompFrame + i : om._startNumber + i;
      writeFrame(template.replace(/\[(#+)\]/, (_m, hashes: string) => String(number).padStart(hashes.length, '0')));
    }
    this.status = faults.stopWithError ? RQItemStatus.ERR_STOPPED : RQItemStatus.DONE;
    this.render = false;
  }
}

export class RenderQueue {
  readonly _items: RenderQueueItem[] = [];
  readonly _log: string[] = [];
  _templates = ['Best Settings', 'Lossless', 'Lossless with Alpha', 'PNG Sequence', 'TIFF Sequence with Alpha'];
  _faults: RenderFaults = {};
  rendering = false;
  get numItems(): number {
    return this._items.length;
  }
  get items(): Record<string, unknown> {
    return oneBased(this._items, {
      add: (comp: CompItem): RenderQueueItem => {
        const item = new RenderQueueItem(comp, this);
        this._items.push(item);
        this._log.push(`items.add(${comp.name})`);
        return item;
      },
    });
  }
  item(index: number): RenderQueueItem {
    return this._items[index - 1];
  }
  /** Renders every ticked, queued item (blocking), like File > Render. */
  render(): void {
    this._log.push('render');
    for (const item of this._items) {
      if (item.render && item.status === RQItemStatus.QUEUED) {
        this._log.push(`rendered ${item.comp.name} ${item.timeSpanStart}+${item.timeSpanDuration}`);
        item._renderFrames(this._faults);
      }
    }
  }
}

export class Project {
  readonly rootFolder = new FolderItem('Root');
  readonly renderQueue = new RenderQueue();
  readonly _log: string[] = [];
  activeItem: Item | null = null;
  /** Default rate for imported image sequences (Preferences > Import > Sequence Footage). */
  _sequenceImportFps = 30;
  constructor(public readonly file: FileDouble | null) {}
  get numItems(): number {
    return this._all().length;
  }
  _all(): Item[] {
    const all: Item[] = [];
    const walk = (folder: FolderItem): void => {
      for (const item of folder._items) {
        all.push(item);
        if (item instanceof FolderItem) walk(item);
      }
    };
    walk(this.rootFolder);
    return all;
  }
  item(index: number): Item {
    return this._all()[index - 1];
  }
  get items(): Record<string, unknown> {
    return oneBased(this._all(), {
      addFolder: (name: string): FolderItem => {
        const folder = this._add(new FolderItem(name));
        this._log.push(`addFolder(${name})`);
        return folder as FolderItem;
      },
    });
  }
  _add<T extends Item>(item: T, folder: FolderItem = this.rootFolder): T {
    const placed = item as Item;
    if (placed.parentFolder) placed.parentFolder._items.splice(placed.parentFolder._items.indexOf(placed), 1);
    folder._items.push(placed);
    placed.parentFolder = folder;
    return item;
  }
  importFile(options: ImportOptions): Item {
    const file = options.file;
    if (!file || !fs.existsSync(file.fsName)) throw new Error(`Unable to import file "${file ? file.fsName : ''}" (file not found)`);
    this._log.push(`importFile(${path.basename(file.fsName)}, sequence=${options.sequence})`);
    if (!options.sequence) {
      const footage = new FootageItem(path.basename(file.fsName), file);
      footage.mainSource = new FileSource(file, 25, footage, 250);
      return this._add(footage);
    }
    const match = /^(.*?)([0-9]+)(\.[^.]+)$/.exec(path.basename(file.fsName));
    if (!match) throw new Error('not a numbered file');
    const dir = path.dirname(file.fsName);
    let n = Number(match[2]);
    const first = n;
    while (fs.existsSync(path.join(dir, `${match[1]}${String(n).padStart(match[2].length, '0')}${match[3]}`))) n++;
    const last = n - 1;
    const footage = new FootageItem(`${match[1]}[${match[2]}-${String(last).padStart(match[2].length, '0')}]${match[3]}`, file);
    footage.mainSource = new FileSource(file, this._sequenceImportFps, footage, last - first + 1);
    footage.frameRate = this._sequenceImportFps;
    footage.duration = (last - first + 1) / this._sequenceImportFps;
    return this._add(footage);
  }
}

export class Application {
  readonly version = '24.6.1x3';
  readonly buildName = 'double';
  readonly _undo: string[] = [];
  constructor(public project: Project | null) {}
  beginUndoGroup(name: string): void {
    this._undo.push(`begin:${name}`);
  }
  endUndoGroup(): void {
    this._undo.push('end');
  }
}

export interface AfterEffectsScene {
  app: Application;
  project: Project;
  comp: CompItem;
  layer: AVLayer;
  below: AVLayer;
  footage: FootageItem;
}

/** A 25 fps, 20 s comp with two layers; the selected footage layer runs from 2 s to 3.6 s (frames 50..89). */
export function afterEffectsScene(options: { fps?: number; select?: boolean } = {}): AfterEffectsScene {
  const fps = options.fps ?? 25;
  const project = new Project(new FileDouble('/projects/show.aep'));
  const comp = project._add(new CompItem('Main', fps, 20));
  comp.workAreaStart = 1;
  comp.workAreaDuration = 4;
  const footage = project._add(new FootageItem('shot010.mov', new FileDouble('/media/shot010.mov')));
  footage.frameRate = fps;
  const top = new AVLayer('Title', comp, null, 0, 20);
  const layer = new AVLayer('shot010.mov', comp, footage, 50 / fps, 90 / fps, options.select ?? true);
  const below = new AVLayer('Background', comp, null, 0, 20);
  comp._layers.push(top, layer, below);
  project.activeItem = comp;
  return { app: new Application(project), project, comp, layer, below, footage };
}

/** The global constructors the host code tests with `instanceof`, as AE defines them. */
export const afterEffectsGlobals = { CompItem, FootageItem, FolderItem, AVLayer, Layer, ImportOptions, RQItemStatus };
