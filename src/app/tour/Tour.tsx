import { useEffect, useRef, type ReactNode } from 'react';

/** What every lab's tour step has: the panel it talks about (data-panel), highlighted and scrolled to. */
export interface BaseTourStep {
  id: string;
  title: string;
  panel: string;
  body: ReactNode;
}

/**
 * The guided tour of a lab: one step at a time, the panel it talks about highlighted and
 * scrolled into view, its state set up by `onEnter`. Keyboard: → or Enter next, ← back, Esc closes.
 */
export default function Tour<S extends BaseTourStep>({
  steps,
  index,
  onIndex,
  onClose,
  onEnter,
}: {
  steps: readonly S[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  onEnter: (step: S) => void;
}) {
  const step = steps[index];
  const heading = useRef<HTMLHeadingElement>(null);
  const last = index === steps.length - 1;

  useEffect(() => {
    onEnter(step);
    heading.current?.focus();
    // The step may first have to show its panel (hidden through the URL): look for it over a few frames.
    let target: Element | null = null;
    let tries = 0;
    let timer = 0;
    const find = () => {
      // Within this lab: another tab's lab, hidden, may have a panel of the same name.
      const scope = heading.current?.closest('[data-lab]') ?? document;
      target = scope.querySelector(`[data-panel="${step.panel}"]`);
      if (target) {
        target.classList.add('tour-target');
        target.scrollIntoView({ block: 'center', behavior: 'auto' });
      } else if (tries++ < 40) timer = window.setTimeout(find, 50);
    };
    find();
    return () => {
      clearTimeout(timer);
      (target as Element | null)?.classList.remove('tour-target');
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [index]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, select, textarea')) return;
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowRight' && !last) onIndex(index + 1);
      else if (e.key === 'ArrowLeft' && index > 0) onIndex(index - 1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, last, onClose, onIndex]);

  return (
    <section className="tour" role="dialog" aria-modal="false" aria-labelledby="tour-title" data-testid="tour" data-step={step.id}>
      <p className="tour-count muted" data-testid="tour-count">
        Step {index + 1} of {steps.length}
      </p>
      <h2 id="tour-title" tabIndex={-1} ref={heading}>
        {step.title}
      </h2>
      <div className="tour-body">{step.body}</div>
      <div className="tour-nav">
        <button type="button" onClick={() => onIndex(index - 1)} disabled={index === 0} data-testid="tour-back">
          ← Back
        </button>
        {last ? (
          <button type="button" className="primary" onClick={onClose} data-testid="tour-done">
            Finish
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => onIndex(index + 1)} data-testid="tour-next">
            Next →
          </button>
        )}
        <button type="button" onClick={onClose} data-testid="tour-skip">
          Skip tour
        </button>
        <span className="muted small">keys: ← → Esc</span>
      </div>
    </section>
  );
}
