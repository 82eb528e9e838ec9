/**
 * Premiere Pro host module: registers itself with the dispatcher in host/index.ts.
 */
import { registerAppHost } from '../shared/registry';
import { readContext } from './context';
import { exportFrames } from './export';
import { importResult } from './import';

function isPremiereRunning(): boolean {
  // Duck-typed on the DOM: Premiere's app has an encoder and a source monitor, After Effects' does not.
  return typeof app !== 'undefined' && app !== null && app.encoder !== undefined && app.sourceMonitor !== undefined;
}

registerAppHost({
  app: 'PPRO',
  isRunning: isPremiereRunning,
  getContext: readContext,
  exportFrames: exportFrames,
  importResult: importResult,
});
