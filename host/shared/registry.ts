/**
 * The per-app host modules register themselves here; the entry point dispatches to the one whose DOM is running.
 *
 * Registration (rather than the entry point importing both app modules) keeps each app module in its own
 * type-check program: the After Effects and Premiere typings cannot be loaded together.
 */
import type {
  ExportFramesArgs,
  ExportFramesResult,
  HostApp,
  HostContext,
  ImportResultArgs,
  ImportResultResult,
} from '../../client/shared/host-api';

export interface AppHost {
  app: HostApp;
  /** True when this script runs inside that app (checked against the live DOM). */
  isRunning(): boolean;
  getContext(): HostContext;
  exportFrames(args: ExportFramesArgs): ExportFramesResult;
  importResult(args: ImportResultArgs): ImportResultResult;
}

const registered: AppHost[] = [];

export function registerAppHost(host: AppHost): void {
  registered.push(host);
}

export function runningAppHost(): AppHost | null {
  for (let i = 0; i < registered.length; i++) {
    if (registered[i].isRunning()) return registered[i];
  }
  return null;
}
