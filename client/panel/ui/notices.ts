/** Turns failures into error cards: what went wrong, and the one next step the user can take. */
import { HostCallError, type HostCallErrorCode } from '../lib/host';
import { ServicesUnavailableError } from '../lib/services';
import { CepUnavailableError } from '../lib/cep';
import type { Notice, RetryAction } from './model';
import type { EngineCheck, PropagateOutcome } from '../../shared/panel-services';

const RELOAD = 'Close and reopen the panel; if it happens again, send us the job folder.';

const HOST_NEXT_STEPS: Record<HostCallErrorCode, string> = {
  'no-project': 'Open or create a project, then click Read selection.',
  'no-sequence': 'Open a sequence (Premiere Pro) or a composition (After Effects), then click Read selection.',
  'no-selection': 'Select one clip in the timeline (Premiere Pro) or one layer (After Effects), then click Read selection.',
  'wrong-container': 'Open the sequence or composition named above, then press Retry.',
  'nothing-to-import': 'Run Propagate first: the results folder has no frames yet.',
  'frame-count-mismatch': 'Click Capture again; if it repeats, check that the sequence frame rate matches the clip.',
  'no-free-track': 'Add an empty video track above the clip, then click Import again.',
  'export-failed': 'Check free disk space and that the job folder (Settings) is writable, then capture again.',
  'import-failed': 'Check that the results folder still exists, then click Import again.',
  internal: RELOAD,
  timeout: 'Close any dialog open in the app, then try again.',
  'script-error': RELOAD,
  'not-loaded': RELOAD,
  'bad-answer': RELOAD,
};

/** Host refusals the user fixes in the app and then simply repeats. */
const HOST_RETRYABLE: ReadonlySet<HostCallErrorCode> = new Set<HostCallErrorCode>(['wrong-container', 'no-free-track', 'timeout']);

export function noticeFromError(error: unknown, during: string, retry?: RetryAction): Notice {
  if (error instanceof HostCallError) {
    const notice: Notice = { tone: 'error', title: `${during} failed`, message: error.message, nextStep: HOST_NEXT_STEPS[error.code] };
    if (retry && HOST_RETRYABLE.has(error.code)) notice.retry = retry;
    return notice;
  }
  if (error instanceof ServicesUnavailableError || error instanceof CepUnavailableError) {
    return { tone: 'error', title: 'Panel not connected', message: error.message, nextStep: RELOAD };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { tone: 'error', title: `${during} failed`, message: message.split('\n')[0] ?? message, nextStep: RELOAD };
}

export function noticeFromOutcome(outcome: Exclude<PropagateOutcome, { status: 'done' }>): Notice {
  if (outcome.status === 'cancelled') {
    return { tone: 'info', title: 'Propagation cancelled', message: outcome.message, nextStep: 'Click Propagate to run again.' };
  }
  const title = outcome.code === 'engine-crashed' ? 'The engine stopped during the run' : outcome.code === 'engine-missing' ? 'Engine not available' : 'Propagation failed';
  // Bad input needs a fix first; a crash, a missing engine or an internal error may pass on a second try.
  return { tone: 'error', title, message: outcome.message, nextStep: outcome.nextStep, ...(outcome.code === 'bad-input' ? {} : { retry: 'propagate' as const }) };
}

export function noticeFromEngineCheck(check: Extract<EngineCheck, { ok: false }>, retry?: RetryAction): Notice {
  return { tone: 'error', title: 'Engine not available', message: check.message, nextStep: check.nextStep, ...(retry ? { retry } : {}) };
}

/** A Node-side `Attempt` that failed (createJob, writeAnchorPsd): its own message and next step. */
export function noticeFromAttempt(title: string, failed: { message: string; nextStep: string }, retry?: RetryAction): Notice {
  return { tone: 'error', title, message: failed.message, nextStep: failed.nextStep, ...(retry ? { retry } : {}) };
}
