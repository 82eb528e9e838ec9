/**
 * AnchorFlow ExtendScript entry point: installs `$.global.AnchorFlowHost` (see client/shared/host-api.ts).
 *
 * Every function takes one JSON string and returns a `HostResult` JSON string, because evalScript carries only
 * strings. The bundle holds both app modules (host/aeft, host/ppro); each registers itself and the one whose DOM
 * is present handles the call. Nothing throws out of here: failures come back as `{ ok: false, error }`.
 */
import type { ExportFramesArgs, HostResult, ImportResultArgs } from '../client/shared/host-api';
import { HOST_NAMESPACE } from '../client/shared/host-api';
import { asRecord, readRange, readSelection, requireNumber, requireString } from './shared/args';
import { describeUnexpected, fail, isHostFailure } from './shared/errors';
import { jsonParse, jsonStringify } from './shared/json';
import { AppHost, runningAppHost } from './shared/registry';

function parseArgs(argsJson: unknown): unknown {
  if (argsJson === undefined || argsJson === null || argsJson === '') return {};
  return typeof argsJson === 'string' ? jsonParse(argsJson) : argsJson;
}

function requireAppHost(): AppHost {
  const host = runningAppHost();
  if (!host) fail('internal', 'AnchorFlow runs only in Premiere Pro and After Effects.');
  return host;
}

function readExportArgs(raw: unknown): ExportFramesArgs {
  const record = asRecord(raw, 'export arguments');
  return { range: readRange(record['range']), folder: requireString(record, 'folder') };
}

function readImportArgs(raw: unknown): ImportResultArgs {
  const record = asRecord(raw, 'import arguments');
  const placement = asRecord(record['placement'], 'a placement');
  return {
    path: requireString(record, 'path'),
    placement: {
      selection: readSelection(placement['selection']),
      fps: requireNumber(placement, 'fps'),
      containerId: requireString(placement, 'containerId'),
      containerName: requireString(placement, 'containerName'),
    },
    binName: requireString(record, 'binName'),
  };
}

/** Runs one host call and serialises its outcome; the panel's bridge parses this string. */
function respond<T>(argsJson: unknown, run: (host: AppHost, args: unknown) => T): string {
  let result: HostResult<T>;
  try {
    result = { ok: true, value: run(requireAppHost(), parseArgs(argsJson)) };
  } catch (thrown) {
    result = isHostFailure(thrown)
      ? { ok: false, error: { code: thrown.anchorFlowCode, message: thrown.message } }
      : { ok: false, error: { code: 'internal', message: describeUnexpected(thrown) } };
  }
  return jsonStringify(result);
}

$.global[HOST_NAMESPACE] = {
  getContext: function (argsJson?: unknown): string {
    return respond(argsJson, function (host) {
      return host.getContext();
    });
  },
  exportFrames: function (argsJson: unknown): string {
    return respond(argsJson, function (host, args) {
      return host.exportFrames(readExportArgs(args));
    });
  },
  importResult: function (argsJson: unknown): string {
    return respond(argsJson, function (host, args) {
      return host.importResult(readImportArgs(args));
    });
  },
};
