/**
 * A DOM double of the ExtendScript runtime (`$`, File, Folder) for running the built host bundle in Node's `vm`.
 * NOT a real Adobe app: File/Folder are backed by the real file system of a temp folder so that what an export
 * "writes" can really be listed and counted by the host code. ES5 built-ins are deleted from the vm realm so that
 * host code reaching for them fails here as it would in ExtendScript.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

/** `File.name` in ExtendScript is URI-encoded; encodeURI leaves "/" and friends alone, which names never hold. */
function encodeName(name: string): string {
  return encodeURI(name);
}

function globToRegExp(mask: string): RegExp {
  const escaped = mask.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  // Adobe apps run on case-insensitive file systems by default (APFS, NTFS).
  return new RegExp(`^${escaped}$`, 'i');
}

export class FileDouble {
  readonly fsName: string;
  constructor(filePath?: string) {
    this.fsName = path.resolve(filePath ?? '.');
  }
  get name(): string {
    return encodeName(path.basename(this.fsName));
  }
  get displayName(): string {
    return path.basename(this.fsName);
  }
  get exists(): boolean {
    return fs.existsSync(this.fsName) && fs.statSync(this.fsName).isFile();
  }
  get parent(): FolderDouble {
    return new FolderDouble(path.dirname(this.fsName));
  }
  get fullName(): string {
    return this.fsName;
  }
  get absoluteURI(): string {
    return encodeURI(this.fsName);
  }
  get length(): number {
    return this.exists ? fs.statSync(this.fsName).size : -1;
  }
  static decode(uri: string): string {
    return decodeURI(uri);
  }
  static encode(name: string): string {
    return encodeURI(name);
  }
}

export class FolderDouble {
  readonly fsName: string;
  constructor(folderPath?: string) {
    this.fsName = path.resolve(folderPath ?? '.');
  }
  get name(): string {
    return encodeName(path.basename(this.fsName));
  }
  get exists(): boolean {
    return fs.existsSync(this.fsName) && fs.statSync(this.fsName).isDirectory();
  }
  get parent(): FolderDouble {
    return new FolderDouble(path.dirname(this.fsName));
  }
  get fullName(): string {
    return this.fsName;
  }
  get absoluteURI(): string {
    return encodeURI(this.fsName);
  }
  create(): boolean {
    fs.mkdirSync(this.fsName, { recursive: true });
    return true;
  }
  /** Folder.getFiles(mask): File and Folder objects, in directory order; null when the folder does not exist. */
  getFiles(mask?: string): Array<FileDouble | FolderDouble> | null {
    if (!this.exists) return null;
    const pattern = globToRegExp(mask ?? '*');
    return fs
      .readdirSync(this.fsName)
      .filter((entry) => pattern.test(entry))
      .map((entry) => {
        const full = path.join(this.fsName, entry);
        return fs.statSync(full).isDirectory() ? new FolderDouble(full) : new FileDouble(full);
      });
  }
  static decode(uri: string): string {
    return decodeURI(uri);
  }
  static encode(name: string): string {
    return encodeURI(name);
  }
}

/** What ExtendScript (ES3 + Adobe extensions) lacks: removed from the vm realm before the bundle loads. */
const STRIP_ES5 = `
  delete Array.prototype.forEach; delete Array.prototype.map; delete Array.prototype.filter;
  delete Array.prototype.reduce; delete Array.prototype.reduceRight; delete Array.prototype.some;
  delete Array.prototype.every; delete Array.prototype.indexOf; delete Array.prototype.lastIndexOf;
  delete Array.isArray; delete Object.keys; delete Object.create; delete Object.defineProperty;
  delete Object.defineProperties; delete Object.getPrototypeOf; delete Object.freeze;
  delete String.prototype.trim; delete Date.now; delete Function.prototype.bind; delete this.JSON;
`;

export interface ExtendScriptEnv {
  context: vm.Context;
  /** Milliseconds that `$.sleep` has "slept" (the vm's Date advances by it, as real time would). */
  sleptMs: () => number;
  /** Called on every `$.sleep`, e.g. to let a Media Encoder double write more frames. */
  onSleep: (listener: () => void) => void;
  /** Calls `$.global.AnchorFlowHost[name](argsJson)` the way the panel's evalScript does, parsing the result. */
  call: (name: string, args?: unknown) => { ok: boolean; value?: any; error?: { code: string; message: string } };
  /** The raw string the host returned for the last call. */
  lastRaw: () => string;
}

/**
 * Builds a vm realm with the ExtendScript globals plus the app globals given (app, CompItem, Time, ...), loads the
 * bundle into it and returns a caller. The bundle is loaded from `bundlePath` so `$.fileName` points next to it.
 */
export function loadHostBundle(bundlePath: string, appGlobals: Record<string, unknown>): ExtendScriptEnv {
  let slept = 0;
  const sleepListeners: Array<() => void> = [];
  const dollar: Record<string, unknown> = {
    fileName: bundlePath,
    os: 'Linux DOM double',
    version: '4.5.5',
    engineName: 'main',
    sleep(ms: number) {
      slept += ms;
      for (const listener of sleepListeners) listener();
    },
    writeln() {},
    write() {},
  };
  const sandbox: Record<string, unknown> = { $: dollar, File: FileDouble, Folder: FolderDouble, ...appGlobals };
  const context = vm.createContext(sandbox);
  dollar.global = context;
  vm.runInContext(STRIP_ES5, context);
  // $.sleep really passes time in ExtendScript: make the realm's clock follow it (the host polls with it).
  vm.runInContext(
    `(function (RealDate, slept) {
       function ClockDate(a, b, c, d, e, f, g) {
         if (arguments.length === 0) return new RealDate(RealDate.prototype.valueOf.call(new RealDate()) + slept());
         return new RealDate(a, b === undefined ? 0 : b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0);
       }
       ClockDate.prototype = RealDate.prototype;
       this.Date = ClockDate;
     }).call(this, Date, __sleptMs);`,
    Object.assign(context, { __sleptMs: () => slept }),
  );
  vm.runInContext(fs.readFileSync(bundlePath, 'utf8'), context, { filename: bundlePath });
  let raw = '';
  return {
    context,
    sleptMs: () => slept,
    onSleep: (listener) => sleepListeners.push(listener),
    call(name, args) {
      const host = (context as any).AnchorFlowHost;
      if (!host || typeof host[name] !== 'function') throw new Error(`AnchorFlowHost.${name} is not installed`);
      // evalScript passes the call as source text: the argument arrives as a JSON string literal.
      raw = vm.runInContext(`AnchorFlowHost.${name}(${JSON.stringify(JSON.stringify(args ?? {}))})`, context);
      if (typeof raw !== 'string') throw new Error(`AnchorFlowHost.${name} returned ${typeof raw}, not a string`);
      return JSON.parse(raw);
    },
    lastRaw: () => raw,
  };
}

/** A valid 1x1 grey PNG: what the export doubles write for each frame. */
export const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);

export function writeFrame(filePath: string): void {
  fs.writeFileSync(filePath, ONE_PIXEL_PNG);
}
