import { STEPS, type StepId } from '../model';

export function StepNav({ current, isAvailable, onSelect }: { current: StepId; isAvailable: (step: StepId) => boolean; onSelect: (step: StepId) => void }) {
  return (
    <nav className="af-steps" aria-label="Steps">
      <ol>
        {STEPS.map((step, position) => (
          <li key={step.id}>
            <button
              type="button"
              className="af-step"
              aria-label={`Step ${position + 1}: ${step.label}`}
              aria-current={current === step.id ? 'step' : undefined}
              disabled={!isAvailable(step.id)}
              onClick={() => onSelect(step.id)}
            >
              <span className="af-step__number" aria-hidden="true">
                {position + 1}
              </span>
              {step.label}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
