/**
 * Where the CLI's events go. Human mode: progress with ETA on stderr, a bar redrawn in place on a TTY, plain lines
 * (at most one a second per stage) otherwise. JSON mode: one EngineEvent per line on stdout, nothing else there.
 */
import type { EngineEvent } from '../../shared/protocol';

export interface EventSink {
  emit(event: EngineEvent): void;
  /** Ends any redrawn line so that what follows starts on a fresh one. */
  finish(): void;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

type Progress = Extract<EngineEvent, { event: 'progress' }>;

/** Uses the pipeline's ETA when it gives one, else extrapolates from this stage's rate since its first event. */
class EtaEstimator {
  private stage = '';
  private first = { at: 0, done: 0 };

  eta(event: Progress, now: number): number | null {
    if (event.stage !== this.stage) {
      this.stage = event.stage;
      this.first = { at: now, done: event.done };
    }
    if (event.etaSeconds !== null && event.etaSeconds !== undefined) return event.etaSeconds;
    if (event.done >= event.total && event.total > 0) return 0;
    const advanced = event.done - this.first.done;
    const elapsed = (now - this.first.at) / 1000;
    if (advanced <= 0 || elapsed <= 0) return null;
    return (elapsed / advanced) * (event.total - event.done);
  }
}

export function describeProgress(event: Progress, eta: number | null, barWidth: number | null): string {
  const fraction = event.total > 0 ? event.done / event.total : 0;
  const parts = [event.stage];
  if (barWidth !== null) parts.push(progressBar(fraction, barWidth));
  parts.push(`${event.done}/${event.total}`, `${Math.floor(fraction * 100)}%`);
  parts.push(eta === null ? 'ETA --:--' : `ETA ${formatDuration(eta)}`);
  if (event.message) parts.push(event.message);
  return parts.join(' ');
}

export class JsonLinesSink implements EventSink {
  constructor(private readonly stdout: NodeJS.WritableStream) {}
  emit(event: EngineEvent): void {
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }
  finish(): void {}
}

export class HumanSink implements EventSink {
  private readonly eta = new EtaEstimator();
  private lineOpen = false;
  private lastPlain = { stage: '', at: 0 };

  constructor(
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly now: () => number = Date.now,
  ) {}

  emit(event: EngineEvent): void {
    switch (event.event) {
      case 'progress':
        return this.progress(event);
      case 'warning':
        this.finish();
        this.stderr.write(`warning: ${event.message}\n`);
        return;
      case 'error':
        this.finish();
        this.stderr.write(`anchorflow: ${event.message}\n`);
        return;
      case 'done':
        this.finish();
        return;
    }
  }

  private progress(event: Progress): void {
    const now = this.now();
    const eta = this.eta.eta(event, now);
    if (this.stderr.isTTY) {
      const columns = this.stderr.columns ?? 80;
      const line = describeProgress(event, eta, Math.max(10, Math.min(30, columns - 50)));
      this.stderr.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
      this.lineOpen = true;
      return;
    }
    const stageChanged = event.stage !== this.lastPlain.stage;
    const last = event.done >= event.total;
    if (stageChanged || last || now - this.lastPlain.at >= 1000) {
      this.stderr.write(`${describeProgress(event, eta, null)}\n`);
      this.lastPlain = { stage: event.stage, at: now };
    }
  }

  finish(): void {
    if (this.lineOpen) {
      this.stderr.write('\n');
      this.lineOpen = false;
    }
  }
}
