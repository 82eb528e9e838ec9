import type { Workflow } from '../useWorkflow';
import { ProgressBar } from '../parts/ProgressBar';
import { BeforeAfter } from '../parts/BeforeAfter';

export function PropagateStep({ flow }: { flow: Workflow }) {
  const { run, result, anchors, frames, settings, busy } = flow;
  const results = result ? [...result.frames].sort((a, b) => a.index - b.index).map((frame) => frame.file) : [];
  return (
    <section className="af-step-panel" aria-labelledby="propagate-title">
      <h2 id="propagate-title">Propagate</h2>
      <p className="af-muted">
        {anchors.length} anchor{anchors.length === 1 ? '' : 's'} → {frames.length} frames · {settings.output === 'layer' ? 'edit layer with alpha' : 'full frames'} · device {settings.device}
      </p>
      <div className="af-actions">
        <button type="button" className="af-primary" onClick={() => void flow.propagate()} disabled={busy !== null || anchors.length === 0}>
          {busy === 'propagate' ? 'Propagating…' : result ? 'Propagate again' : 'Propagate'}
        </button>
      </div>
      {run && <ProgressBar run={run} onCancel={() => void flow.cancel()} />}
      {result && !run && (
        <>
          <BeforeAfter services={flow.services} sources={frames.map((frame) => frame.file)} results={results} />
          <div className="af-actions af-actions--end">
            <button type="button" className="af-primary" onClick={() => flow.setStep('import')}>
              Next: Import
            </button>
          </div>
        </>
      )}
    </section>
  );
}
