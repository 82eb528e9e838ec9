import { useState } from 'react';
import type { ConnectedServices } from '../lib/services';
import { stepAvailable, type StepId } from './model';
import { useWorkflow } from './useWorkflow';
import { StepNav } from './parts/StepNav';
import { NoticeCard } from './parts/NoticeCard';
import { SettingsDrawer } from './parts/SettingsDrawer';
import { CaptureStep } from './steps/CaptureStep';
import { AnchorStep } from './steps/AnchorStep';
import { PropagateStep } from './steps/PropagateStep';
import { ImportStep } from './steps/ImportStep';

export function App({ connection }: { connection: ConnectedServices }) {
  const flow = useWorkflow(connection);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const have = { frames: flow.frames.length > 0, anchors: flow.anchors.length > 0, result: flow.result !== null };
  const isAvailable = (step: StepId) => stepAvailable(step, have) && flow.run === null;
  const retryAction = flow.notice?.retry;

  return (
    <div className="af-app">
      <header className="af-header">
        <StepNav current={flow.step} isAvailable={isAvailable} onSelect={flow.setStep} />
        <button type="button" className="af-icon-button" aria-expanded={settingsOpen} aria-label="Settings" onClick={() => setSettingsOpen((open) => !open)}>
          ⚙
        </button>
      </header>
      {settingsOpen && <SettingsDrawer settings={flow.settings} onChange={flow.setSettings} onClose={() => setSettingsOpen(false)} />}
      {flow.notice && (
        <NoticeCard
          notice={flow.notice}
          onDismiss={() => flow.setNotice(null)}
          onRetry={retryAction && flow.busy === null ? () => flow.retry(retryAction) : undefined}
        />
      )}
      <main>
        {flow.step === 'capture' && <CaptureStep flow={flow} />}
        {flow.step === 'anchor' && <AnchorStep flow={flow} />}
        {flow.step === 'propagate' && <PropagateStep flow={flow} />}
        {flow.step === 'import' && <ImportStep flow={flow} />}
      </main>
    </div>
  );
}

/** Shown instead of the app when the panel cannot start (no CEP, no Node side): never a blank panel. */
export function StartupError({ message }: { message: string }) {
  return (
    <div className="af-app">
      <section className="af-card af-notice af-notice--error" role="alert">
        <strong>AnchorFlow could not start</strong>
        <p>{message}</p>
        <p>
          <span className="af-muted">Next: </span>Close and reopen the panel; if it happens again, reinstall the extension.
        </p>
      </section>
    </div>
  );
}
