/**
 * Host errors: a code from the shared contract plus one actionable line for the user.
 *
 * Errors are thrown as plain objects (no Error subclass: Babel's class helpers reach for ES5 built-ins that
 * ExtendScript lacks) and turned into a `HostResult` at the namespace boundary.
 */
import type { HostErrorCode } from '../../client/shared/host-api';

export interface HostFailure {
  anchorFlowCode: HostErrorCode;
  message: string;
}

export function fail(code: HostErrorCode, message: string): never {
  const failure: HostFailure = { anchorFlowCode: code, message: message };
  throw failure;
}

export function isHostFailure(thrown: unknown): thrown is HostFailure {
  return (
    thrown !== null &&
    typeof thrown === 'object' &&
    typeof (thrown as HostFailure).anchorFlowCode === 'string' &&
    typeof (thrown as HostFailure).message === 'string'
  );
}

/** One line describing an unexpected exception, with the ExtendScript line number when the engine provides it. */
export function describeUnexpected(thrown: unknown): string {
  if (thrown !== null && typeof thrown === 'object') {
    const err = thrown as { message?: unknown; line?: unknown };
    const line = typeof err.line === 'number' ? ' (host script line ' + err.line + ')' : '';
    return String(err.message !== undefined ? err.message : thrown) + line;
  }
  return String(thrown);
}
