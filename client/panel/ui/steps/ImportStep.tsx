import type { Workflow } from '../useWorkflow';

export function ImportStep({ flow }: { flow: Workflow }) {
  const { context, result, placed, busy } = flow;
  const appName = context?.app === 'AEFT' ? 'After Effects' : 'Premiere Pro';
  return (
    <section className="af-step-panel" aria-labelledby="import-title">
      <h2 id="import-title">Import</h2>
      <p className="af-muted">
        Places the {result?.frames.length ?? 0} result frames directly above {context?.selection.name ?? 'the original'} in {appName}. Nothing existing is changed.
      </p>
      <div className="af-actions">
        <button type="button" className="af-primary" onClick={() => void flow.importResult()} disabled={busy !== null || !result}>
          {busy === 'import' ? 'Importing…' : `Import into ${appName}`}
        </button>
      </div>
      {placed && (
        <div className="af-card af-notice af-notice--success" role="status" data-testid="placed">
          <strong>Placed</strong>
          <p>{placed.summary}</p>
          <p className="af-muted af-path">from {result?.out}</p>
        </div>
      )}
    </section>
  );
}
