/**
 * Errors crossing a thread boundary travel as plain data; the receiving side rebuilds the class from `kind`, so an
 * InputError in a worker is still a bad-input error (exit 2) where it is reported.
 */
import type { ErrorCode } from '../../shared/protocol';
import { CancelledError, errorCodeOf, InputError } from '../errors';

export interface WireError {
  type: 'error';
  kind: ErrorCode;
  name: string;
  message: string;
  stack?: string;
}

export function toWire(error: unknown): WireError {
  const asError = error instanceof Error ? error : new Error(String(error));
  return { type: 'error', kind: errorCodeOf(error), name: asError.name, message: asError.message, stack: asError.stack };
}

/** Rebuilds the error class that was thrown, from its wire form. */
export function reviveError(wire: WireError): Error {
  let error: Error;
  if (wire.kind === 'bad-input') error = new InputError(wire.message);
  else if (wire.kind === 'cancelled') error = new CancelledError(wire.message);
  else {
    error = new Error(wire.message);
    error.name = wire.name;
  }
  // The worker's stack says where it failed (shown with ANCHORFLOW_DEBUG); ours would only show the message port.
  if (wire.stack) error.stack = wire.stack;
  return error;
}
