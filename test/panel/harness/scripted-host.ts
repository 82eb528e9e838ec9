/**
 * A scripted stand-in for the ExtendScript host behind `window.__adobe_cep__.evalScript` — used only because Premiere
 * Pro and After Effects cannot run here. It answers `AnchorFlowHost.<name>(<json>)` scripts the way the real host
 * does (a HostResult JSON string; "EvalScript error." when the script throws), exports the generated clip as the
 * host's PNG-sequence export would, and records every call so the test can assert the panel's arguments.
 */
import * as path from 'path';
import { HOST_NAMESPACE, type ExportFramesArgs, type HostContext, type ImportResultArgs, type ImportResultResult } from '../../../client/shared/host-api';
import { writeClip } from './clip';

export interface HostCall {
  name: string;
  args: unknown;
}

export class ScriptedHost {
  readonly calls: HostCall[] = [];
  /** False: getContext answers like the host with nothing selected in the timeline. */
  hasSelection = true;
  /** The sequence/comp active in the app; importResult refuses when it is not the captured one (as host/ does). */
  activeContainer: { id: string; name: string };

  constructor(readonly context: HostContext) {
    this.activeContainer = { id: context.container.id, name: context.container.name };
  }

  /** What evalScript's callback receives for `script`. */
  async evaluate(script: string): Promise<string> {
    const match = new RegExp(`^${HOST_NAMESPACE}\\.(\\w+)\\(([\\s\\S]*)\\)$`).exec(script);
    if (!match) return 'EvalScript error.';
    const [, name = '', json = ''] = match;
    let args: unknown;
    try {
      args = JSON.parse(json);
    } catch {
      return 'EvalScript error.'; // not valid ExtendScript either
    }
    this.calls.push({ name, args });
    try {
      return JSON.stringify({ ok: true, value: await this.dispatch(name, args) });
    } catch (error) {
      if (error instanceof HostFailure) return JSON.stringify({ ok: false, error: { code: error.code, message: error.message } });
      return 'EvalScript error.';
    }
  }

  private async dispatch(name: string, args: unknown): Promise<unknown> {
    switch (name) {
      case 'getContext':
        if (!this.hasSelection) throw new HostFailure('no-selection', 'Nothing is selected in the active sequence.');
        return this.context;
      case 'exportFrames': {
        const { range, folder } = args as ExportFramesArgs;
        const files = await writeClip(folder, range.frameCount);
        return { folder, files, method: 'exportAsMediaDirect' };
      }
      case 'importResult': {
        const { path: imported, placement } = args as ImportResultArgs;
        if (placement.containerId !== this.activeContainer.id) {
          // The same refusal and wording as host/shared/container.ts (Premiere: "sequence").
          throw new HostFailure(
            'wrong-container',
            `The sequence you captured from ("${placement.containerName}") is not active ("${this.activeContainer.name}" is): open "${placement.containerName}" and press Import again.`,
          );
        }
        const placed: ImportResultResult = {
          itemName: path.basename(imported),
          trackOrLayerIndex: this.context.selection.trackOrLayerIndex + 1,
          startSeconds: this.context.selection.startSeconds,
        };
        return placed;
      }
      default:
        throw new Error(`${HOST_NAMESPACE}.${name} is not a function`);
    }
  }

  callsOf(name: string): HostCall[] {
    return this.calls.filter((call) => call.name === name);
  }
}

class HostFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
