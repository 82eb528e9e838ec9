import type { Workflow } from '../useWorkflow';

export function CaptureStep({ flow }: { flow: Workflow }) {
  const { context, busy } = flow;
  const selection = context?.selection;
  return (
    <section className="af-step-panel" aria-labelledby="capture-title">
      <h2 id="capture-title">Capture</h2>
      <p className="af-muted">Select a clip (Premiere Pro) or a layer (After Effects), then read it and capture its frames into a job folder.</p>
      <div className="af-actions">
        <button type="button" onClick={() => void flow.readSelection()} disabled={busy !== null}>
          {busy === 'context' ? 'Reading…' : 'Read selection'}
        </button>
        <button type="button" className="af-primary" onClick={() => void flow.capture()} disabled={busy !== null || !context}>
          {busy === 'capture' ? 'Capturing…' : selection ? `Capture ${selection.range.frameCount} frames` : 'Capture frames'}
        </button>
      </div>
      {context && selection && (
        <dl className="af-card af-facts" data-testid="context">
          <dt>Clip</dt>
          <dd>{selection.name}</dd>
          <dt>{context.app === 'PPRO' ? 'Sequence' : 'Comp'}</dt>
          <dd>
            {context.container.name} · {context.container.width}×{context.container.height} · {context.container.fps} fps
          </dd>
          <dt>Range</dt>
          <dd>
            frames {selection.range.startFrame}–{selection.range.startFrame + selection.range.frameCount - 1} ({selection.range.frameCount})
          </dd>
          <dt>Project</dt>
          <dd className="af-path">{context.projectPath ?? 'unsaved project'}</dd>
        </dl>
      )}
      {flow.job && flow.frames.length > 0 && (
        <p className="af-muted af-path" data-testid="job-folder">
          Job folder: {flow.job.dir}
        </p>
      )}
    </section>
  );
}
