/** Progress with an ETA from the measured rate (after the first frame). */
import type { EngineEvent } from '../../shared/protocol';

export class ProgressTracker {
  private readonly started = Date.now();
  private done = 0;

  constructor(private readonly total: number, private readonly emit: (event: EngineEvent) => void) {}

  start(message: string): void {
    this.emit({ event: 'progress', stage: 'propagate', done: 0, total: this.total, etaSeconds: null, message });
  }

  frameDone(message: string): void {
    this.done += 1;
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = (elapsed / this.done) * (this.total - this.done);
    this.emit({ event: 'progress', stage: 'propagate', done: this.done, total: this.total, etaSeconds: Math.round(eta * 10) / 10, message });
  }
}
