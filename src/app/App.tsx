import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { SinusoidLab } from './SinusoidLab';
import { queryText } from '../maml/settings/table';
import { UpdateBanner } from './UpdateBanner';

const RlLab = lazy(() => import('./rl/RlLab').then((m) => ({ default: m.RlLab })));
const OmniglotLab = lazy(() => import('./omniglot/OmniglotLab').then((m) => ({ default: m.OmniglotLab })));

export const EXPERIMENTS = [
  { id: 'sinusoid', label: 'Sinusoid regression', lab: 'sinusoid' },
  { id: 'omniglot', label: 'Omniglot few-shot classification', lab: 'Omniglot' },
  { id: 'rl', label: 'Reinforcement learning', lab: 'RL' },
] as const;
type ExperimentId = (typeof EXPERIMENTS)[number]['id'];

/** Each tab's lab; all take `active` (false while another tab is shown). */
const LABS: Record<ExperimentId, (props: { active: boolean }) => ReactNode> = { sinusoid: SinusoidLab, omniglot: OmniglotLab, rl: RlLab };

function readExperiment(): ExperimentId {
  const e = new URLSearchParams(location.search).get('experiment');
  return e === 'omniglot' || e === 'rl' ? e : 'sinusoid';
}

/** Sets or removes one query parameter without a new history entry. */
function writeParam(key: string, value: string | null) {
  const q = new URLSearchParams(location.search);
  if (value === null) q.delete(key);
  else q.set(key, value);
  const s = queryText(q);
  history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
}

/**
 * The experiments as tabs (?experiment=omniglot, ?experiment=rl), and the page's chrome: large text for a
 * projector (?large=1); ?embed=1 drops the chrome for embedding a reduced view in a lesson page.
 */
export function App() {
  const [experiment, setExperiment] = useState<ExperimentId>(readExperiment);
  // A lab, once opened, stays mounted (hidden while another tab is open): its worker and its
  // trained state live on; it pauses while hidden.
  const [opened, setOpened] = useState<ReadonlySet<ExperimentId>>(() => new Set([readExperiment()]));
  const [large, setLarge] = useState(() => new URLSearchParams(location.search).get('large') === '1');
  const [embed] = useState(() => new URLSearchParams(location.search).get('embed') === '1');
  useEffect(() => {
    document.documentElement.classList.toggle('large-text', large);
  }, [large]);
  const choose = (id: ExperimentId) => {
    writeParam('experiment', id === 'sinusoid' ? null : id);
    setExperiment(id);
    setOpened((o) => (o.has(id) ? o : new Set([...o, id])));
  };
  const toggleLarge = () => {
    writeParam('large', large ? null : '1');
    setLarge(!large);
  };
  return (
    <>
      {!embed && (
        <nav className="tabs" aria-label="Experiments">
          <div role="tablist" className="tablist" aria-label="Experiments">
            {EXPERIMENTS.map((e) => (
              <button
                key={e.id}
                role="tab"
                aria-selected={experiment === e.id}
                className={experiment === e.id ? 'tab active' : 'tab'}
                data-testid={`tab-${e.id}`}
                onClick={() => choose(e.id)}
              >
                {e.label}
              </button>
            ))}
          </div>
          <button type="button" className="large-toggle" aria-pressed={large} onClick={toggleLarge} data-testid="large-text">
            Large text
          </button>
        </nav>
      )}
      <UpdateBanner />
      {EXPERIMENTS.filter((e) => opened.has(e.id)).map(({ id, lab }) => {
        const Lab = LABS[id];
        return (
          <div key={id} hidden={experiment !== id} data-lab={id}>
            <Suspense fallback={<p className="app muted">Loading the {lab} lab…</p>}>
              <Lab active={experiment === id} />
            </Suspense>
          </div>
        );
      })}
    </>
  );
}
