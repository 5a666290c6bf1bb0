import type { TrainerState } from './useTrainer';

/** Which backend runs, why, how fast, and how far training has got. */
export function StatusLine({ state }: { state: TrainerState }) {
  const b = state.backend;
  return (
    <section className="status" aria-live="polite" data-testid="status">
      {state.restarted && (
        <span className="restarted" role="alert" data-testid="restarted">
          {state.restarted}
        </span>
      )}
      {state.phase !== 'ready' ? (
        <span data-testid="calibrating">
          <span className="spinner" aria-hidden="true" />
          {state.calibrating ? `Measuring the ${state.calibrating} backend…` : 'Starting the training worker…'}
        </span>
      ) : (
        <>
          <span>
            Backend <b data-testid="backend">{b?.chosen}</b>
          </span>
          <span>
            meta-gradients on <b data-testid="engine">{b?.engine === 'fused' ? `fused kernel, ${b.fusedKernel}` : `tfjs ${b?.chosen}`}</b>
          </span>
          <span data-testid="iteration">
            meta-iteration <b>{state.iteration.toLocaleString('en')}</b>
          </span>
          <span data-testid="rate">
            <b>{state.itersPerSec.toFixed(1)}</b> meta-it/s
          </span>
          <span className="muted" data-testid="source">
            {state.running ? 'training' : 'paused'} · from {state.source}
          </span>
          {state.saved && (
            <span className="muted" data-testid="saved">
              saved in this browser at iteration {state.saved.iteration.toLocaleString('en')} (
              {new Date(state.saved.at).toLocaleTimeString()})
            </span>
          )}
          {state.storage && (
            <span className="muted" data-testid="storage">
              {state.storage}
            </span>
          )}
          <details>
            <summary>why {b?.chosen}?</summary>
            <p data-testid="backend-reason">{b?.reason}</p>
            <p data-testid="engine-reason">Meta-gradients: {b?.engineReason}.</p>
            <ul>
              {b?.candidates.map((c) => (
                <li key={c.name}>
                  <b>{c.name}</b>: {c.available ? 'available' : 'unavailable'}, {c.note}
                  {c.metaItersPerSec !== undefined && ` — calibration ${c.metaItersPerSec.toFixed(1)} meta-it/s`}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </section>
  );
}
