import type { Notice } from '../model';

/** An error/info card: what happened and the next step. Errors are announced to screen readers. */
export function NoticeCard({ notice, onDismiss, onRetry }: { notice: Notice; onDismiss: () => void; onRetry?: () => void }) {
  return (
    <section className={`af-card af-notice af-notice--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} aria-live="polite" data-testid="notice">
      <div className="af-notice__head">
        <strong>{notice.title}</strong>
        <button type="button" className="af-icon-button" onClick={onDismiss} aria-label="Dismiss message">
          ×
        </button>
      </div>
      <p className="af-notice__message">{notice.message}</p>
      <p className="af-notice__next">
        <span className="af-muted">Next: </span>
        {notice.nextStep}
      </p>
      {onRetry && (
        <div className="af-actions">
          <button type="button" className="af-primary" onClick={onRetry}>
            Retry
          </button>
        </div>
      )}
    </section>
  );
}
