/** Wall time spent per pipeline stage, summed over a run (reported in the result; printed by the benchmark). */
export class StageTimer {
  private readonly totals: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.totals[stage] = (this.totals[stage] ?? 0) + performance.now() - started;
    }
  }

  /** Time measured elsewhere (another thread's stages). */
  add(stage: string, ms: number): void {
    this.totals[stage] = (this.totals[stage] ?? 0) + ms;
  }

  /** Milliseconds per stage, rounded. */
  summary(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.totals).map(([stage, ms]) => [stage, Math.round(ms)]));
  }
}
