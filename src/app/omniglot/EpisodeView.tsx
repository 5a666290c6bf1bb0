import { useEffect, useState } from 'react';
import type { EpisodeView as View } from '../../worker/omniglotProtocol';
import { Glyph } from './Glyph';
import { mostProbableClass } from '../../maml/metrics';

const PX = 784;

/** Class colours (Okabe-Ito, then tints): never the only signal, labels are written too. */
export const classColor = (c: number) => ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'][c % 8];

function prettyAlphabet(name: string) {
  return name.replace(/_/g, ' ');
}

/**
 * One episode: the support set by class, and each query image with the class the
 * adapted model predicts at the chosen inner step, its confidence, and whether it is right.
 */
export function EpisodeView({ view }: { view: View }) {
  const [step, setStep] = useState(view.steps);
  // A new episode opens on its last step; a refresh of the same one keeps the chosen step.
  const { way, shot, serial } = view.request;
  useEffect(() => setStep(view.steps), [way, shot, serial, view.steps]);
  const nq = view.queryLabels.length;
  const probs = view.probs[Math.min(step, view.probs.length - 1)];
  const predictions = Array.from({ length: nq }, (_, q) => {
    const best = mostProbableClass(probs, q, way);
    const tie = Array.from({ length: way }, (_, c) => probs[q * way + c]).filter((p) => p === probs[q * way + best]).length > 1;
    return { predicted: tie ? -1 : best, confidence: probs[q * way + best] };
  });
  return (
    <section className="plot episode" data-testid="episode-view" aria-label="Episode">
      <h3>
        Support set{' '}
        <span className="muted">
          {way} classes × {shot} example{shot > 1 ? 's' : ''}, from held-out alphabets
        </span>
      </h3>
      <div className="support-grid" data-testid="support-grid">
        {Array.from({ length: way }, (_, c) => (
          <figure key={c} className="support-class" style={{ borderTopColor: classColor(c) }}>
            <div className="glyph-row">
              {Array.from({ length: shot }, (_, s) => (
                <Glyph key={s} pixels={view.support} offset={(c * shot + s) * PX} label={`support, class ${c + 1}, example ${s + 1}`} />
              ))}
            </div>
            <figcaption>
              <b>class {c + 1}</b>
              <span className="muted"> {prettyAlphabet(view.classes[c].alphabet)}</span>
            </figcaption>
          </figure>
        ))}
      </div>
      <div className="stepper">
        <label htmlFor="episode-step">
          Inner step <b data-testid="episode-step">{step}</b> of {view.steps} <span className="muted">(α = {view.alpha})</span>
        </label>
        <input id="episode-step" type="range" min={0} max={view.steps} value={step} onChange={(e) => setStep(Number(e.target.value))} />
      </div>
      <div className="step-accuracy" role="list" aria-label="Query accuracy after each inner step">
        {view.accuracy.map((a, s) => (
          <button
            key={s}
            role="listitem"
            className={s === step ? 'acc-bar current' : 'acc-bar'}
            onClick={() => setStep(s)}
            data-testid={`step-accuracy-${s}`}
            aria-label={`step ${s}: ${(100 * a).toFixed(0)}% of queries right`}
          >
            <span className="acc-fill" style={{ height: `${Math.max(2, a * 100)}%` }} />
            <span className="acc-text">{(100 * a).toFixed(0)}%</span>
            <span className="acc-step">step {s}</span>
          </button>
        ))}
      </div>
      <h3>
        Query set{' '}
        <span className="muted">
          predicted class after step {step}: <b data-testid="query-accuracy">{(100 * view.accuracy[step]).toFixed(0)}%</b> right
        </span>
      </h3>
      <div className="query-grid" data-testid="query-grid">
        {predictions.map((p, q) => {
          const truth = view.queryLabels[q];
          const right = p.predicted === truth;
          return (
            <figure key={q} className={`query ${right ? 'right' : 'wrong'}`} data-testid="query" data-correct={right}>
              <Glyph pixels={view.query} offset={q * PX} label={`query ${q + 1}, true class ${truth + 1}`} />
              <figcaption>
                <span className="mark" aria-hidden="true">
                  {right ? '✓' : '✗'}
                </span>
                {p.predicted < 0 ? (
                  <span>no preference</span>
                ) : (
                  <span>
                    <span className="swatch" style={{ background: classColor(p.predicted) }} /> class {p.predicted + 1}{' '}
                    <span className="muted">{(100 * p.confidence).toFixed(0)}%</span>
                  </span>
                )}
                <span className="sr-only">{right ? 'correct' : `wrong, the true class is ${truth + 1}`}</span>
              </figcaption>
            </figure>
          );
        })}
      </div>
      <p className="muted small">
        Before the first step the head is zero, so every class is equally likely (chance, {(100 / way).toFixed(0)}%). The predictions are
        from the model at meta-iteration {view.iteration}.
      </p>
    </section>
  );
}
