import { lazy, Suspense, useState } from 'react';
import { SinusoidLab } from './SinusoidLab';

const RlLab = lazy(() => import('./rl/RlLab').then((m) => ({ default: m.RlLab })));
const OmniglotLab = lazy(() => import('./omniglot/OmniglotLab').then((m) => ({ default: m.OmniglotLab })));

export const EXPERIMENTS = [
  { id: 'sinusoid', label: 'Sinusoid regression' },
  { id: 'omniglot', label: 'Omniglot few-shot classification' },
  { id: 'rl', label: 'Reinforcement learning' },
] as const;
type ExperimentId = (typeof EXPERIMENTS)[number]['id'];

function readExperiment(): ExperimentId {
  const e = new URLSearchParams(location.search).get('experiment');
  return e === 'omniglot' || e === 'rl' ? e : 'sinusoid';
}

/** The experiments as tabs; the choice lives in the URL (?experiment=omniglot, ?experiment=rl). */
export function App() {
  const [experiment, setExperiment] = useState<ExperimentId>(readExperiment);
  const choose = (id: ExperimentId) => {
    const q = new URLSearchParams(location.search);
    if (id === 'sinusoid') q.delete('experiment');
    else q.set('experiment', id);
    const s = q.toString();
    history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
    setExperiment(id);
  };
  return (
    <>
      <nav className="tabs" aria-label="Experiments">
        {EXPERIMENTS.map((e) => (
          <button key={e.id} role="tab" aria-selected={experiment === e.id} className={experiment === e.id ? 'tab active' : 'tab'} data-testid={`tab-${e.id}`} onClick={() => choose(e.id)}>
            {e.label}
          </button>
        ))}
      </nav>
      {experiment === 'sinusoid' ? (
        <SinusoidLab />
      ) : experiment === 'rl' ? (
        <Suspense fallback={<p className="app muted">Loading the RL lab…</p>}>
          <RlLab />
        </Suspense>
      ) : (
        <Suspense fallback={<p className="app muted">Loading the Omniglot lab…</p>}>
          <OmniglotLab />
        </Suspense>
      )}
    </>
  );
}
