import { misclassified } from '../../maml/omniglot/confusion';
import { Glyph } from './Glyph';
import './confusion.css';

/** A probability as a short percentage: whole percents, tenths below 1%, and "<0.1%" below that. */
export function shortPercent(p: number): string {
  const v = 100 * p;
  if (v >= 1) return `${Math.round(v)}%`;
  return v >= 0.1 ? `${v.toFixed(1)}%` : '<0.1%';
}

interface Drawing {
  pixels: Uint8Array;
  offset?: number;
}

/**
 * One misclassified query beside the support drawing of the class it was taken for and of the
 * class it is, with the probability the adapted model gives each.
 */
export function MistakeCard({
  query,
  queryName,
  taken,
  is,
}: {
  query: Drawing;
  queryName: string;
  taken: Drawing & { name: string; p: number };
  is: Drawing & { name: string; p: number };
}) {
  const text = `taken for ${taken.name} (${shortPercent(taken.p)}), is ${is.name} (${shortPercent(is.p)})`;
  return (
    <li className="mistake" data-testid="mistake" data-text={text}>
      <figure>
        <Glyph pixels={query.pixels} offset={query.offset} size={44} label={queryName} />
        <figcaption>{queryName}</figcaption>
      </figure>
      <span className="mistake-arrow" aria-hidden="true">
        →
      </span>
      <figure className="mistake-taken">
        <Glyph pixels={taken.pixels} offset={taken.offset} size={44} label={`support drawing of ${taken.name}`} />
        <figcaption>
          <span>taken for</span> <b>{taken.name}</b> <span>({shortPercent(taken.p)})</span>
        </figcaption>
      </figure>
      <figure className="mistake-is">
        <Glyph pixels={is.pixels} offset={is.offset} size={44} label={`support drawing of ${is.name}`} />
        <figcaption>
          <span>is</span> <b>{is.name}</b> <span>({shortPercent(is.p)})</span>
        </figcaption>
      </figure>
    </li>
  );
}

/**
 * Own classes: the example-set queries (their class known) that the adapted model gets wrong,
 * each beside the first example of the class it was taken for and of its own class. Nothing
 * when no query's class is known or the classes no longer match the example set.
 */
export function OwnMistakes({
  probs,
  names,
  queries,
  supports,
  steps,
}: {
  /** [queries, classes] after the last step. */
  probs: Float32Array;
  names: string[];
  queries: { name: string; bytes: Uint8Array; expected?: number }[];
  /** The first example of each class, as shown. */
  supports?: Uint8Array[];
  steps: number;
}) {
  const way = names.length;
  if (!supports || supports.length !== way) return null;
  if (!queries.some((q) => q.expected !== undefined) || queries.some((q) => q.expected !== undefined && q.expected >= way)) return null;
  const mistakes = misclassified(
    probs,
    queries.map((q) => q.expected ?? -1),
    way,
  );
  return (
    <div className="own-mistakes" data-testid="own-mistakes">
      <p className="small">
        <b>Inside the mistakes</b>{' '}
        <span className="muted">
          (queries whose class is known, after {steps} step{steps === 1 ? '' : 's'}):{' '}
          {mistakes.length ? `${mistakes.length} taken for another class` : 'none, every one is taken for its own class'}
        </span>
      </p>
      {mistakes.length > 0 && (
        <ul className="mistake-list">
          {mistakes.map((m) => (
            <MistakeCard
              key={m.query}
              query={{ pixels: queries[m.query].bytes }}
              queryName={queries[m.query].name}
              taken={{ pixels: supports[m.predicted], name: names[m.predicted], p: m.pPredicted }}
              is={{ pixels: supports[m.truth], name: names[m.truth], p: m.pTruth }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
