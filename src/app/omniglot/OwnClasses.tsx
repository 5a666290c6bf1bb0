import { useEffect, useRef, useState } from 'react';
import { toInkBytes } from '../../maml/data/omniglotPack';
import type { FromOmniglotWorker, ToOmniglotWorker } from '../../worker/omniglotProtocol';
import { classColor } from './EpisodeView';
import { DrawPad } from './DrawPad';
import { Glyph } from './Glyph';

interface Example {
  id: string;
  name: string;
  bytes: Uint8Array;
  pixels: Float32Array;
}
interface OwnClass {
  name: string;
  examples: Example[];
}
type Classified = Extract<FromOmniglotWorker, { type: 'classified' }>;

let serial = 0;
const nextId = () => `img${++serial}`;

/**
 * Teach the meta-learned model classes of your own: a few examples per class (drawn or
 * from files), query images, and Classify: the inner steps from the meta-learned
 * initialisation, each query's class probabilities, beside a random initialisation and
 * nearest neighbour in pixel space. Everything happens in this page's worker.
 */
export function OwnClasses({ send, subscribe, ready, steps }: { send: (m: ToOmniglotWorker, t?: Transferable[]) => void; subscribe: (l: (m: FromOmniglotWorker) => void) => () => void; ready: boolean; steps: number }) {
  const [classes, setClasses] = useState<OwnClass[]>([]);
  const [queries, setQueries] = useState<Example[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [result, setResult] = useState<{ data: Classified; names: string[]; queries: Example[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const pending = useRef(new Map<string, number>()); // image id -> class index, or -1 for queries
  const snapshot = useRef<{ names: string[]; queries: Example[] } | null>(null);

  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'exampleSet') {
          setClasses(m.classes.map((c) => ({ name: c.name, examples: c.examples.map((p) => ({ id: nextId(), name: 'example', bytes: toInkBytes(p), pixels: p })) })));
          setQueries(m.queries.map((q) => ({ id: nextId(), name: q.name, bytes: toInkBytes(q.pixels), pixels: q.pixels })));
          setResult(null);
        } else if (m.type === 'preprocessed') {
          const target = pending.current.get(m.id);
          pending.current.delete(m.id);
          if (target === undefined) return;
          if (m.error || !m.pixels) {
            setProblems((p) => [...p, m.error ?? `${m.name}: could not be read`]);
            return;
          }
          const ex = { id: m.id, name: m.name, bytes: toInkBytes(m.pixels), pixels: m.pixels };
          if (target < 0) setQueries((q) => [...q, ex]);
          else setClasses((cs) => cs.map((c, i) => (i === target ? { ...c, examples: [...c.examples, ex] } : c)));
        } else if (m.type === 'classified') {
          setBusy(false);
          if (snapshot.current) setResult({ data: m, ...snapshot.current });
        } else if (m.type === 'error') {
          setBusy(false);
        }
      }),
    [subscribe],
  );
  useEffect(() => {
    if (ready && !classes.length) send({ type: 'exampleSet', way: 3, seed: 1 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);

  const addFiles = (files: FileList | File[], target: number) => {
    for (const file of Array.from(files)) {
      const id = nextId();
      pending.current.set(id, target);
      send({ type: 'preprocess', id, name: file.name, file });
    }
  };
  const addDrawing = (img: ImageData, target: number) => {
    const id = nextId();
    pending.current.set(id, target === classes.length ? -1 : target);
    send({ type: 'preprocess', id, name: 'drawing', rgba: { data: img.data, width: img.width, height: img.height } });
  };
  const classify = () => {
    const errors: string[] = [];
    if (classes.length < 2) errors.push('Add at least 2 classes.');
    classes.forEach((c, i) => !c.examples.length && errors.push(`Class ${i + 1} (${c.name || 'unnamed'}) has no examples.`));
    if (!queries.length) errors.push('Add at least one query image to classify.');
    setProblems(errors);
    if (errors.length) return;
    snapshot.current = { names: classes.map((c, i) => c.name || `class ${i + 1}`), queries };
    setBusy(true);
    send({ type: 'classify', classes: classes.map((c) => c.examples.map((e) => e.pixels)), queries: queries.map((q) => q.pixels), steps });
  };
  const targets = [...classes.map((c, i) => `class ${i + 1}: ${c.name || 'unnamed'}`), 'queries'];

  return (
    <section className="plot own-classes" aria-label="Your own classes" data-testid="own-classes">
      <h3>
        Teach it your own characters <span className="muted">— your images stay in this browser: they are read and classified in this page's worker, never uploaded</span>
      </h3>
      <div className="own-layout">
        <DrawPad onUse={addDrawing} targets={targets} />
        <div className="own-classes-list">
          {classes.map((c, i) => (
            <div key={i} className="own-class" style={{ borderTopColor: classColor(i) }} data-testid="own-class">
              <input aria-label={`Name of class ${i + 1}`} value={c.name} placeholder={`class ${i + 1}`} onChange={(e) => setClasses((cs) => cs.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
              <div className="glyph-row wrap">
                {c.examples.map((ex) => (
                  <button key={ex.id} className="thumb" title={`${ex.name}: remove`} aria-label={`Remove ${ex.name} from class ${i + 1}`} onClick={() => setClasses((cs) => cs.map((x, j) => (j === i ? { ...x, examples: x.examples.filter((e) => e.id !== ex.id) } : x)))}>
                    <Glyph pixels={ex.bytes} size={40} label={`${ex.name}, as the model sees it`} />
                  </button>
                ))}
              </div>
              <label className="file-pick">
                + images
                <input type="file" accept="image/*" multiple data-testid={`class-files-${i}`} onChange={(e) => e.target.files && addFiles(e.target.files, i)} />
              </label>
              <button className="link" onClick={() => setClasses((cs) => cs.filter((_, j) => j !== i))} aria-label={`Remove class ${i + 1}`}>remove class</button>
            </div>
          ))}
          <button disabled={classes.length >= 20} onClick={() => setClasses((cs) => [...cs, { name: '', examples: [] }])} data-testid="add-class">+ class</button>
        </div>
      </div>
      <div className="own-queries">
        <b>Queries</b>
        <div className="glyph-row wrap" data-testid="own-queries">
          {queries.map((q) => (
            <button key={q.id} className="thumb" title={`${q.name}: remove`} aria-label={`Remove query ${q.name}`} onClick={() => setQueries((qs) => qs.filter((x) => x.id !== q.id))}>
              <Glyph pixels={q.bytes} size={40} label={`${q.name}, as the model sees it`} />
            </button>
          ))}
        </div>
        <label className="file-pick">
          + query images
          <input type="file" accept="image/*" multiple data-testid="query-files" onChange={(e) => e.target.files && addFiles(e.target.files, -1)} />
        </label>
        <button className="primary" disabled={!ready || busy} onClick={classify} data-testid="classify">{busy ? 'Adapting…' : `Classify (${steps} step${steps === 1 ? '' : 's'})`}</button>
      </div>
      {problems.length > 0 && (
        <ul className="problems" role="alert" data-testid="own-problems">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {result && (
        <div className="own-results" data-testid="own-results">
          <p className="muted small">
            Support loss per inner step: {result.data.supportLoss.map((l) => l.toFixed(3)).join(' → ')}
          </p>
          {result.queries.map((q, i) => {
            const way = result.names.length;
            const probs = result.data.probs[result.data.probs.length - 1].subarray(i * way, (i + 1) * way);
            const pred = result.data.predicted[i];
            return (
              <div key={q.id} className="own-result" data-testid="own-result">
                <Glyph pixels={q.bytes} size={48} label={`query ${q.name}`} />
                <div>
                  <div>
                    <b data-testid="own-prediction">{result.names[pred.label]}</b> <span className="muted">{(100 * pred.probability).toFixed(0)}%</span>
                    <span className="muted small"> · random init: {result.names[result.data.randomInit[i].label]} · nearest neighbour: {result.names[result.data.nearest[i].label]}</span>
                  </div>
                  <div className="prob-bars" aria-label={`probabilities for ${q.name}`}>
                    {Array.from(probs, (p, c) => (
                      <div key={c} className="prob-row">
                        <span className="prob-name">{result.names[c]}</span>
                        <span className="prob-bar" style={{ width: `${Math.max(1, 100 * p)}%`, background: classColor(c) }} />
                        <span className="prob-value">{(100 * p).toFixed(1)}%</span>
                      </div>
                    ))}
                  </div>
                </div>
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}
