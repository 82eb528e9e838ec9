/**
 * A small typed bridge over CEP's `window.__adobe_cep__` (what Adobe's CSInterface.js wraps; it is not on npm).
 * Only the calls the panel uses. Kept apart from the UI so a UXP port replaces this file and host.ts only.
 */

export interface CepColor {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

export interface AppSkinInfo {
  baseFontFamily: string;
  baseFontSize: number;
  panelBackgroundColor: { color: CepColor };
  appBarBackgroundColor?: { color: CepColor };
  systemHighlightColor?: CepColor;
}

export interface HostEnvironment {
  appName: string;
  appVersion: string;
  appLocale?: string;
  appSkinInfo: AppSkinInfo;
}

/** Paths `getSystemPath` knows (CSInterface's SystemPath constants). */
export type SystemPathType = 'extension' | 'userData' | 'commonFiles' | 'myDocuments' | 'hostApplication';

export interface CepEvent {
  type: string;
  data?: unknown;
}

/** The native object CEP injects into the panel's window. */
export interface AdobeCepNative {
  evalScript(script: string, callback: (result: string) => void): void;
  getHostEnvironment(): string;
  getSystemPath(pathType: SystemPathType): string;
  getExtensionId(): string;
  addEventListener(type: string, listener: (event: CepEvent) => void, obj?: unknown): void;
  removeEventListener?(type: string, listener: (event: CepEvent) => void, obj?: unknown): void;
}

interface CepWindow {
  __adobe_cep__?: AdobeCepNative;
  cep?: { util?: { openURLInDefaultBrowser?(url: string): unknown } };
}

/** Fired by the host when the user changes the UI brightness. */
export const THEME_COLOR_CHANGED = 'com.adobe.csxs.events.ThemeColorChanged';

export class CepUnavailableError extends Error {
  constructor() {
    super('Not running inside an Adobe app: window.__adobe_cep__ is missing. Open the panel from Window > Extensions.');
    this.name = 'CepUnavailableError';
  }
}

function cepWindow(): CepWindow {
  return window as unknown as CepWindow;
}

function native(): AdobeCepNative {
  const cep = cepWindow().__adobe_cep__;
  if (!cep) throw new CepUnavailableError();
  return cep;
}

export function isInCep(): boolean {
  return cepWindow().__adobe_cep__ !== undefined;
}

/** Raw evalScript; the callback's string is "EvalScript error." when the script threw (see host.ts). */
export function evalScript(script: string): Promise<string> {
  return new Promise((resolve) => native().evalScript(script, resolve));
}

export function getHostEnvironment(): HostEnvironment {
  return JSON.parse(native().getHostEnvironment()) as HostEnvironment;
}

/**
 * CEP returns a file: URL; CSInterface strips it per OS. We strip by shape instead of by user agent:
 * "file:///C:/x" -> "C:/x" (Windows), "file:///Users/x" -> "/Users/x" (macOS, Linux test).
 */
export function fileUrlToPath(url: string): string {
  const decoded = decodeURI(url);
  if (/^file:\/\/\/[A-Za-z]:/.test(decoded)) return decoded.slice('file:///'.length);
  if (decoded.startsWith('file://')) return decoded.slice('file://'.length);
  return decoded;
}

export function getSystemPath(pathType: SystemPathType): string {
  return fileUrlToPath(native().getSystemPath(pathType));
}

export function getExtensionId(): string {
  return native().getExtensionId();
}

/** Returns an unsubscribe function. */
export function addEventListener(type: string, listener: (event: CepEvent) => void): () => void {
  const cep = native();
  cep.addEventListener(type, listener);
  return () => cep.removeEventListener?.(type, listener);
}

export function openURLInDefaultBrowser(url: string): void {
  const open = cepWindow().cep?.util?.openURLInDefaultBrowser;
  if (open) open(url);
  else window.open(url, '_blank', 'noopener');
}
