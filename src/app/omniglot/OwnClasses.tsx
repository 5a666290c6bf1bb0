import { FEW_SHOT_LIMITS } from '../../maml/omniglot/fewShotClassify';
import { useEffect, useRef, useState } from 'react';
import { toInkBytes } from '../../maml/omniglot/pack';
import type { FromOmniglotWorker, ToOmniglotWorker } from '../../worker/omniglotProtocol';
import { BatchClassify } from './BatchClassify';
import { classColor } from './EpisodeView';
import { DrawPad } from './DrawPad';
import { Glyph } from './Glyph';
import { dropTarget, pastedImages } from './imageSources';
import { OwnResults, type OwnResult } from './OwnResults';
import { download } from '../share/checkpointFiles';

export interface Example {
  id: string;
  name: string;
  bytes: Uint8Array;
  pixels: Float32Array;
  /** The class a query is known to belong to (the example set's queries), for scoring. */
  expected?: number;
}
interface OwnClass {
  name: string;
  examples: Example[];
}

let serial = 0;
const nextId = () => `img${++serial}`;
/** Images are decoded in parallel: each goes where it was chosen (ids count up in that order), not where it finished. */
const byChoice = (list: Example[], ex: Example) => [...list, ex].sort((a, b) => Number(a.id.slice(3)) - Number(b.id.slice(3)));
const MAX_CLASSES = FEW_SHOT_LIMITS.classes.max;
const MAX_EXAMPLES = FEW_SHOT_LIMITS.examples.max;
const QUERIES = -1;

/**
 * Teach the meta-learned model classes of your own: a few examples per class (drawn, chosen,
 * dropped or pasted), query images, and Classify: the inner steps from the meta-learned
 * initialisation, each query's class probabilities per step, beside the pretrained baseline,
 * a random initialisation and nearest neighbour in pixel space. Everything happens in this
 * page's worker; batch mode classifies folders or a zip.
 */
export function OwnClasses({
  send,
  subscribe,
  ready,
  defaultSteps,
}: {
  send: (m: ToOmniglotWorker) => void;
  subscribe: (l: (m: FromOmniglotWorker) => void) => () => void;
  ready: boolean;
  defaultSteps: number;
}) {
  const [classes, setClasses] = useState<OwnClass[]>([]);
  const [queries, setQueries] = useState<Example[]>([]);
  // Images refused (kept until dismissed) and the last Classify's checks (replaced by the next).
  const [refusals, setRefusals] = useState<string[]>([]);
  const [checks, setChecks] = useState<string[]>([]);
  const problems = [...refusals, ...checks];
  // Images sent to the worker and not yet back; a Classify pressed meanwhile waits for them.
  const [decoding, setDecoding] = useState(0);
  const [classifyWaiting, setClassifyWaiting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [result, setResult] = useState<OwnResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<{ error?: string; bytes?: number } | null>(null);
  const [steps, setSteps] = useState(defaultSteps);
  const stepsTouched = useRef(false);
  // The model's own number of test steps, until the person chooses another.
  useEffect(() => void (!stepsTouched.current && setSteps(defaultSteps)), [defaultSteps]);
  const [target, setTarget] = useState(0);
  const [over, setOver] = useState<number | null>(null);
  const pending = useRef(new Map<string, number>()); // image id -> class index, or QUERIES
  const snapshot = useRef<Omit<OwnResult, 'data'> | null>(null);
  const section = useRef<HTMLElement>(null);

  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'exampleSet') {
          setClasses(
            m.classes.map((c) => ({
              name: c.name,
              examples: c.examples.map((p) => ({ id: nextId(), name: 'example', bytes: toInkBytes(p), pixels: p })),
            })),
          );
          // The example queries come two per class, in class order.
          setQueries(
            m.queries.map((q, i) => ({
              id: nextId(),
              name: q.name,
              bytes: toInkBytes(q.pixels),
              pixels: q.pixels,
              expected: Math.floor(i / 2),
            })),
          );
          setResult(null);
        } else if (m.type === 'preprocessed') {
          const to = pending.current.get(m.id);
          pending.current.delete(m.id);
          setDecoding(pending.current.size);
          if (to === undefined) return;
          if (m.error || !m.pixels) {
            setRefusals((p) => [...p, m.error ?? `${m.name}: could not be read`]);
            return;
          }
          const ex = { id: m.id, name: m.name, bytes: toInkBytes(m.pixels), pixels: m.pixels };
          if (to === QUERIES) setQueries((q) => byChoice(q, ex));
          else
            setClasses((cs) =>
              cs.map((c, i) => {
                if (i !== to) return c;
                if (c.examples.length >= MAX_EXAMPLES) {
                  setRefusals((p) => [
                    ...p,
                    `${m.name}: class ${i + 1} already has ${MAX_EXAMPLES} examples (the model is meant for 1 to 5); remove one first`,
                  ]);
                  return c;
                }
                return { ...c, examples: byChoice(c.examples, ex) };
              }),
            );
        } else if (m.type === 'classifierExport') {
          if (m.zip) download('maml-lab-classifier.zip', new Blob([m.zip], { type: 'application/zip' }));
          setExported(m.zip ? { bytes: m.zip.byteLength } : { error: m.error });
        } else if (m.type === 'classified') {
          setExported(null);
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
  useEffect(() => setTarget((t) => Math.min(t, classes.length)), [classes.length]);

  const targetName = (t: number) =>
    t === classes.length || t === QUERIES ? 'the queries' : `class ${t + 1}${classes[t]?.name ? ` (${classes[t].name})` : ''}`;
  const addFiles = (files: FileList | File[], to: number) => {
    const list = Array.from(files);
    if (!list.length) return;
    setChecks([]);
    for (const file of list) {
      const id = nextId();
      pending.current.set(id, to === classes.length ? QUERIES : to);
      send({ type: 'preprocess', id, name: file.name, file });
    }
    setDecoding(pending.current.size);
    setNotice(`${list.length} image${list.length === 1 ? '' : 's'} added to ${targetName(to)}.`);
  };
  const addDrawing = (img: ImageData, to: number) => {
    const id = nextId();
    pending.current.set(id, to === classes.length ? QUERIES : to);
    send({ type: 'preprocess', id, name: 'drawing', rgba: { data: img.data, width: img.width, height: img.height } });
    setDecoding(pending.current.size);
    setNotice(`Drawing added to ${targetName(to)}.`);
  };

  // Pasting anywhere on the page (outside text fields) adds the image to the chosen target.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable)) return;
      if (!section.current || section.current.offsetParent === null) return;
      const files = pastedImages(e);
      if (!files.length) return;
      e.preventDefault();
      addFiles(files, target);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  });

  const classify = () => {
    // Images still being read first: the result must match the thumbnails shown.
    if (pending.current.size) {
      setClassifyWaiting(true);
      setChecks([]);
      setNotice(`Reading ${pending.current.size} image${pending.current.size === 1 ? '' : 's'} first…`);
      return;
    }
    setClassifyWaiting(false);
    const errors: string[] = [];
    if (classes.length < 2) errors.push('Add at least 2 classes.');
    classes.forEach((c, i) => !c.examples.length && errors.push(`Class ${i + 1} (${c.name || 'unnamed'}) has no examples.`));
    if (!queries.length) errors.push('Add at least one query image to classify.');
    if (!Number.isInteger(steps) || steps < 1 || steps > 10) errors.push('Inner steps must be a whole number from 1 to 10.');
    setChecks(errors);
    setNotice(null);
    if (errors.length) return;
    snapshot.current = {
      names: classes.map((c, i) => c.name || `class ${i + 1}`),
      queries,
      supports: classes.map((c) => c.examples[0].bytes),
    };
    setBusy(true);
    send({ type: 'classify', classes: classes.map((c) => c.examples.map((e) => e.pixels)), queries: queries.map((q) => q.pixels), steps });
  };
  // A Classify that waited for images runs once the last one is back (and shown).
  useEffect(() => {
    if (classifyWaiting && decoding === 0) classify();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [classifyWaiting, decoding, classes, queries]);
  const targets = [...classes.map((c, i) => `class ${i + 1}: ${c.name || 'unnamed'}`), 'queries'];
  const drop = (to: number) =>
    dropTarget(
      (files) => addFiles(files, to),
      (o) => setOver(o ? to : null),
    );

  return (
    <section ref={section} className="plot own-classes" aria-label="Your own classes" data-testid="own-classes">
      <h3>
        Teach it your own characters{' '}
        <span className="muted">
          — your images stay in this browser: they are read and classified in this page's worker, never uploaded
        </span>
      </h3>
      <p className="muted small">
        Draw, choose files, drag images onto a class, or paste one (Ctrl+V / ⌘V) into the class chosen under <i>add to</i>. Each thumbnail
        is what the model sees: 28×28, ink centred and scaled like the training drawings.
      </p>
      <div className="own-layout">
        <DrawPad onUse={addDrawing} targets={targets} target={target} onTarget={setTarget} />
        <div className="own-classes-list">
          {classes.map((c, i) => (
            <div
              key={i}
              className={`own-class${over === i ? ' drop-over' : ''}`}
              style={{ borderTopColor: classColor(i) }}
              data-testid="own-class"
              {...drop(i)}
            >
              <input
                aria-label={`Name of class ${i + 1}`}
                value={c.name}
                placeholder={`class ${i + 1}`}
                onChange={(e) => setClasses((cs) => cs.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
              />
              <div className="glyph-row wrap">
                {c.examples.map((ex) => (
                  <button
                    key={ex.id}
                    className="thumb"
                    title={`${ex.name}: remove`}
                    aria-label={`Remove ${ex.name} from class ${i + 1}`}
                    onClick={() =>
                      setClasses((cs) => cs.map((x, j) => (j === i ? { ...x, examples: x.examples.filter((e) => e.id !== ex.id) } : x)))
                    }
                  >
                    <Glyph pixels={ex.bytes} size={40} label={`${ex.name}, as the model sees it`} />
                  </button>
                ))}
                {!c.examples.length && <span className="muted small">drop images here</span>}
              </div>
              <label className="file-pick">
                + images
                <input
                  type="file"
                  accept="image/*"
                  multiple
                  data-testid={`class-files-${i}`}
                  onChange={(e) => e.target.files && addFiles(e.target.files, i)}
                />
              </label>
              <TakePhoto testid={`class-photo-${i}`} onFiles={(f) => addFiles(f, i)} />
              <button
                className="link"
                onClick={() => setClasses((cs) => cs.filter((_, j) => j !== i))}
                aria-label={`Remove class ${i + 1}`}
              >
                remove class
              </button>
            </div>
          ))}
          <button
            disabled={classes.length >= MAX_CLASSES}
            onClick={() => setClasses((cs) => [...cs, { name: '', examples: [] }])}
            data-testid="add-class"
          >
            + class
          </button>
          <button
            className="link"
            onClick={() => {
              setClasses([]);
              setQueries([]);
              setResult(null);
              setRefusals([]);
              setChecks([]);
              // Images still being read belong to what was cleared.
              pending.current.clear();
              setDecoding(0);
              setClassifyWaiting(false);
              setNotice('Cleared: add classes of your own.');
            }}
            data-testid="own-clear"
          >
            clear all
          </button>
          <button
            className="link"
            disabled={!ready}
            onClick={() => send({ type: 'exampleSet', way: 3, seed: Date.now() % 100000 })}
            data-testid="own-example"
          >
            another example set
          </button>
        </div>
      </div>
      <div className={`own-queries${over === classes.length ? ' drop-over' : ''}`} {...drop(classes.length)} data-testid="own-query-drop">
        <b>Queries</b>
        <div className="glyph-row wrap" data-testid="own-queries">
          {queries.map((q) => (
            <button
              key={q.id}
              className="thumb"
              title={`${q.name}: remove`}
              aria-label={`Remove query ${q.name}`}
              onClick={() => setQueries((qs) => qs.filter((x) => x.id !== q.id))}
            >
              <Glyph pixels={q.bytes} size={40} label={`${q.name}, as the model sees it`} />
            </button>
          ))}
          {!queries.length && <span className="muted small">drop query images here</span>}
        </div>
        <label className="file-pick">
          + query images
          <input
            type="file"
            accept="image/*"
            multiple
            data-testid="query-files"
            onChange={(e) => e.target.files && addFiles(e.target.files, classes.length)}
          />
        </label>
        <TakePhoto testid="query-photo" onFiles={(f) => addFiles(f, classes.length)} />
        <label className="inline-field">
          inner steps{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={steps}
            onChange={(e) => ((stepsTouched.current = true), setSteps(Number(e.target.value)))}
            data-testid="own-steps"
            aria-label="Inner steps for classifying your images"
          />
        </label>
        <span className="muted small">
          the model was meta-trained with {defaultSteps} step{defaultSteps === 1 ? '' : 's'}
        </span>
        <button className="primary" disabled={!ready || busy} onClick={classify} data-testid="classify">
          {busy ? 'Adapting…' : `Classify (${steps} step${steps === 1 ? '' : 's'})`}
        </button>
      </div>
      {notice && (!problems.length || classifyWaiting) && (
        <p className="muted small" role="status" data-testid="own-notice">
          {notice}
        </p>
      )}
      {problems.length > 0 && (
        <div className="problems-box">
          <ul className="problems" role="alert" data-testid="own-problems">
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
          {refusals.length > 0 && (
            <button type="button" className="link" data-testid="own-dismiss" onClick={() => setRefusals([])}>
              Dismiss the refused images
            </button>
          )}
        </div>
      )}
      {result && <OwnResults result={result} />}
      {result && (
        <div className="inline-row export-classifier">
          <button
            type="button"
            onClick={() => send({ type: 'exportClassifier', names: result.names })}
            data-testid="export-classifier"
            title="model.json + weights + metadata.json for tf.loadLayersModel, and model.safetensors for PyTorch"
          >
            Export classifier
          </button>
          <span className="muted small" role="status" data-testid="export-classifier-note">
            {exported?.error ??
              (exported?.bytes
                ? `Saved maml-lab-classifier.zip (${(exported.bytes / 1024).toFixed(0)} KB): a tfjs LayersModel with metadata.json, and model.safetensors for PyTorch.`
                : 'The adapted classifier as a tfjs LayersModel (as Teachable Machine exports) and as PyTorch safetensors; its batch norm is frozen at your examples’ statistics.')}
          </span>
        </div>
      )}
      <BatchClassify send={send} subscribe={subscribe} ready={ready} steps={steps} />
    </section>
  );
}

/** A file input that opens the camera on a phone (a file chooser elsewhere): a character photographed on paper. */
function TakePhoto({ testid, onFiles }: { testid: string; onFiles: (files: FileList) => void }) {
  return (
    <label className="file-pick" title="On a phone this opens the camera: photograph the character on paper">
      + take a photo
      <input
        type="file"
        accept="image/*"
        capture="environment"
        data-testid={testid}
        onChange={(e) => e.target.files && onFiles(e.target.files)}
      />
    </label>
  );
}
