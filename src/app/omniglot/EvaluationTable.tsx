import type { EvaluationRow } from '../../worker/omniglotProtocol';

const pct = (v: number, digits = 1) => (Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '—');

/** Held-out accuracy per setting with its 95% interval, beside the paper's MAML numbers. */
export function EvaluationTable({ rows, running, iteration }: { rows: EvaluationRow[]; running: boolean; iteration: number }) {
  const total = rows.reduce((n, r) => n + r.episodes, 0);
  const done = rows.reduce((n, r) => n + r.done, 0);
  return (
    <div className="table-wrap" data-testid="evaluation">
      <div className="progress-line">
        <progress max={total} value={done} aria-label="Evaluation progress" data-testid="evaluation-progress" />
        <span className="muted">
          {done} / {total} episodes {running ? '(running in the background)' : 'done'} · model at meta-iteration {iteration}
        </span>
      </div>
      <table>
        <caption>Meta-test accuracy on the held-out alphabets (query accuracy after adaptation, mean ± 95% interval)</caption>
        <thead>
          <tr>
            <th scope="col">setting</th>
            <th scope="col">this model</th>
            <th scope="col">episodes</th>
            <th scope="col">paper (MAML)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.way}-${r.shot}`} data-testid={`eval-${r.way}-way-${r.shot}-shot`}>
              <th scope="row">
                {r.way}-way {r.shot}-shot
              </th>
              <td data-testid="eval-accuracy">
                {pct(r.accuracy)} {Number.isFinite(r.ci95) && <span className="muted">± {pct(r.ci95)}</span>}
              </td>
              <td>
                {r.done} / {r.episodes}
              </td>
              <td>{pct(r.paper)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
