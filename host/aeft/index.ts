/**
 * After Effects host module: registers itself with the dispatcher in host/index.ts.
 */
import { registerAppHost } from '../shared/registry';
import { readContext } from './context';
import { exportFrames } from './export';
import { importResult } from './import';

function isAfterEffectsRunning(): boolean {
  // Duck-typed on the DOM (BridgeTalk.appName is unreliable in AE 24-25): only After Effects' app object has
  // undo groups. No project is needed here, so a missing project still reaches the 'no-project' error.
  return typeof app !== 'undefined' && app !== null && app.beginUndoGroup !== undefined;
}

registerAppHost({
  app: 'AEFT',
  isRunning: isAfterEffectsRunning,
  getContext: readContext,
  exportFrames: exportFrames,
  importResult: importResult,
});
