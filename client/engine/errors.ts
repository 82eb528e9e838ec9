/** Errors the engine reports to users. `exitCode` is the CLI's exit status for each kind. */

/** Bad input: the user can fix it (exit 2). The message is one line that says what and how to fix it. */
export class InputError extends Error {
  readonly code = 'bad-input' as const;
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The run was cancelled (Ctrl-C or the panel's Cancel); earlier results are left as they were (exit 1). */
export class CancelledError extends Error {
  readonly code = 'cancelled' as const;
  readonly exitCode = 1;
  constructor(message = 'Cancelled; earlier results were left untouched.') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return 2;
  return 1;
}

export function errorCodeOf(error: unknown): 'bad-input' | 'cancelled' | 'internal' {
  if (error instanceof InputError) return 'bad-input';
  if (error instanceof CancelledError) return 'cancelled';
  return 'internal';
}
