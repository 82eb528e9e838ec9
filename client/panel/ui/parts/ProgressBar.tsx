import { formatEta, type RunProgress } from '../model';

export function ProgressBar({ run, onCancel }: { run: RunProgress; onCancel: () => void }) {
  const fraction = run.total > 0 ? Math.min(1, run.done / run.total) : 0;
  return (
    <div className="af-progress" data-testid="progress">
      <div className="af-progress__row">
        <progress max={run.total || 1} value={run.done} aria-label={`Propagating: ${run.done} of ${run.total} frames`} />
        <button type="button" onClick={onCancel} disabled={run.cancelling}>
          {run.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <p className="af-muted" aria-live="polite">
        {run.stage} · {run.done}/{run.total} frames · {Math.round(fraction * 100)}% · {formatEta(run.etaSeconds)}
      </p>
      {run.preview && <img className="af-progress__preview" src={run.preview.dataUrl} alt={`Latest finished frame ${run.preview.index + 1}`} />}
    </div>
  );
}
