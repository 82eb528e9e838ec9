import type { Workflow } from '../useWorkflow';
import { Filmstrip } from '../parts/Filmstrip';
import { DropZone } from '../parts/DropZone';

export function AnchorStep({ flow }: { flow: Workflow }) {
  const { frames, selectedIndex, anchors, busy } = flow;
  const selectedFrame = frames[selectedIndex];
  const selectedAnchor = anchors.find((anchor) => anchor.index === selectedIndex);
  return (
    <section className="af-step-panel" aria-labelledby="anchor-title">
      <h2 id="anchor-title">Anchor</h2>
      <p className="af-muted">Pick a frame, edit it in Photoshop or drop an edited image. Add more anchors where the shot changes.</p>
      <Filmstrip frames={frames} selectedIndex={selectedIndex} anchorIndexes={flow.anchorIndexes} onSelect={flow.setSelectedIndex} />
      <div className="af-anchor-view">
        <div>
          <span className="af-muted">Frame {selectedIndex + 1}</span>
          {selectedFrame?.thumb ? <img src={selectedFrame.thumb} alt={`Frame ${selectedIndex + 1}`} /> : <span className="af-frame__placeholder" />}
        </div>
        <div>
          <span className="af-muted">Anchor</span>
          {selectedAnchor?.preview ? <img src={selectedAnchor.preview} alt={`Edited anchor for frame ${selectedIndex + 1}`} data-testid="anchor-preview" /> : <span className="af-frame__placeholder" />}
        </div>
      </div>
      <div className="af-actions">
        <button type="button" onClick={() => void flow.editInPhotoshop()} disabled={busy !== null || !selectedFrame}>
          {busy === 'photoshop' ? 'Opening…' : flow.waitingForPsd === selectedIndex ? 'Waiting for save… (reopen)' : 'Edit in Photoshop'}
        </button>
      </div>
      <DropZone disabled={busy !== null || !selectedFrame} onFile={(file) => void flow.takeImageFile(file)} />
      {anchors.length > 0 && (
        <ul className="af-anchor-list" aria-label="Anchors" data-testid="anchors">
          {anchors.map((anchor) => (
            <li key={anchor.index}>
              <button type="button" className="af-link" onClick={() => flow.setSelectedIndex(anchor.index)}>
                Frame {anchor.index + 1}
              </button>
              <span className="af-muted">{anchor.mask ? 'with mask' : 'image only'}</span>
              <button type="button" className="af-icon-button" onClick={() => flow.removeAnchor(anchor.index)} aria-label={`Remove anchor on frame ${anchor.index + 1}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="af-actions af-actions--end">
        <button type="button" className="af-primary" disabled={anchors.length === 0} onClick={() => flow.setStep('propagate')}>
          Next: Propagate
        </button>
      </div>
    </section>
  );
}
