import { useEffect, useMemo, useState } from 'react';
import { predictionsCsv } from '../../classify/predictionsCsv';
import type { FromOmniglotWorker, ToOmniglotWorker } from '../../worker/omniglotProtocol';

type BatchResult = Extract<FromOmniglotWorker, { type: 'batchResult' }>;
interface Picked {
  label: string;
  files: { path: string; file: File }[];
  zip?: File;
}

const folder = (el: HTMLInputElement | null) => el?.setAttribute('webkitdirectory', '');
const pathOf = (f: File) => f.webkitRelativePath || f.name;

/**
 * Batch mode: a folder (or a .zip) with one sub-folder per class holding its examples, and
 * a folder of query images (or a "query" folder inside the zip); the worker decodes and
 * classifies them all and the page shows the table, downloadable as CSV.
 */
export function BatchClassify({
  send,
  subscribe,
  ready,
  steps,
}: {
  send: (m: ToOmniglotWorker) => void;
  subscribe: (l: (m: FromOmniglotWorker) => void) => () => void;
  ready: boolean;
  steps: number;
}) {
  const [support, setSupport] = useState<Picked | null>(null);
  const [queries, setQueries] = useState<Picked | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<BatchResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'batchProgress') setProgress({ done: m.done, total: m.total });
        else if (m.type === 'batchResult') {
          setBusy(false);
          setProgress(null);
          setResult(m);
        } else if (m.type === 'error') {
          setBusy(false);
          setProgress(null);
        }
      }),
    [subscribe],
  );
  const csvUrl = useMemo(
    () => (result?.rows.length ? URL.createObjectURL(new Blob([predictionsCsv(result.rows)], { type: 'text/csv' })) : null),
    [result],
  );
  useEffect(() => () => void (csvUrl && URL.revokeObjectURL(csvUrl)), [csvUrl]);

  const pickFolder = (files: FileList | null, set: (p: Picked | null) => void) => {
    const list = Array.from(files ?? []);
    if (!list.length) return set(null);
    const root = pathOf(list[0]).split('/')[0];
    set({ label: `folder ${root} (${list.length} files)`, files: list.map((file) => ({ path: pathOf(file), file })) });
  };
  const run = () => {
    if (!support) return setProblem('Choose the support set first: a folder with one sub-folder per class, or a .zip of such folders.');
    if (!queries && !support.zip)
      return setProblem('Choose the query images (a folder or files), or use a .zip with a "query" folder inside.');
    setProblem(null);
    setResult(null);
    setBusy(true);
    send({ type: 'batchClassify', zip: support.zip, support: support.files, queries: queries?.files ?? [], steps });
  };

  return (
    <details className="batch" data-testid="batch">
      <summary>
        <b>Batch mode</b> <span className="muted">— classify folders of images, download the predictions as CSV</span>
      </summary>
      <p className="muted small">
        The support set is a folder (or a .zip) with one sub-folder per class, named after the class, holding 1 to 5 examples each (2 to 20
        classes; PNG or JPEG). The queries are a folder of images, or a folder named <code>query</code> inside the zip. The same as{' '}
        <code>npm run classify -- --support DIR --query DIR</code> on the command line.
      </p>
      <div className="batch-inputs">
        <label className="file-pick">
          Support folder
          <input
            type="file"
            multiple
            ref={folder}
            data-testid="batch-support-folder"
            onChange={(e) => pickFolder(e.target.files, setSupport)}
          />
        </label>
        <label className="file-pick">
          or support .zip
          <input
            type="file"
            accept=".zip,application/zip"
            data-testid="batch-support-zip"
            onChange={(e) => {
              const f = e.target.files?.[0];
              setSupport(f ? { label: `archive ${f.name}`, files: [], zip: f } : null);
            }}
          />
        </label>
        <label className="file-pick">
          Query folder
          <input
            type="file"
            multiple
            ref={folder}
            data-testid="batch-query-folder"
            onChange={(e) => pickFolder(e.target.files, setQueries)}
          />
        </label>
        <label className="file-pick">
          or query images
          <input
            type="file"
            accept="image/*"
            multiple
            data-testid="batch-query-files"
            onChange={(e) => {
              const list = Array.from(e.target.files ?? []);
              setQueries(
                list.length
                  ? { label: `${list.length} image${list.length === 1 ? '' : 's'}`, files: list.map((file) => ({ path: file.name, file })) }
                  : null,
              );
            }}
          />
        </label>
        <button className="primary" disabled={!ready || busy} onClick={run} data-testid="batch-run">
          {busy ? 'Classifying…' : 'Classify batch'}
        </button>
      </div>
      <p className="small muted" data-testid="batch-picked">
        Support: {support?.label ?? 'none chosen'} · Queries: {queries?.label ?? (support?.zip ? 'from the zip' : 'none chosen')}
      </p>
      {progress && (
        <div className="progress-line" data-testid="batch-progress">
          <progress max={progress.total} value={progress.done} aria-label="Images read" /> {progress.done} of {progress.total} images read{' '}
          <button data-testid="batch-cancel" onClick={() => send({ type: 'cancelBatch' })}>
            Cancel
          </button>
        </div>
      )}
      {problem && (
        <p className="problems" role="alert">
          {problem}
        </p>
      )}
      {result && (
        <div data-testid="batch-result">
          {result.problems.length > 0 && (
            <ul className="problems" role="alert" data-testid="batch-problems">
              {result.problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          )}
          {result.rows.length > 0 && (
            <>
              <p className="small">
                {result.classes.length} classes ({result.classes.map((c) => `${c.name} ×${c.examples}`).join(', ')}), {result.rows.length}{' '}
                queries, {result.steps} inner step{result.steps === 1 ? '' : 's'}, {result.seconds.toFixed(1)} s.{' '}
                {csvUrl && (
                  <a href={csvUrl} download="predictions.csv" data-testid="batch-csv">
                    Download CSV
                  </a>
                )}
              </p>
              <div className="table-scroll">
                <table className="batch-table" data-testid="batch-table">
                  <thead>
                    <tr>
                      <th scope="col">query file</th>
                      <th scope="col">predicted class</th>
                      <th scope="col">probability</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.rows.map((r, i) => (
                      <tr key={i}>
                        <td>{r.file}</td>
                        <td>{r.predicted}</td>
                        <td className="num">{(100 * r.probability).toFixed(1)}%</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}
    </details>
  );
}
