import type { EvaluationRow } from '../../worker/omniglotProtocol';

const pct = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '—');

/** Held-out accuracy per setting with its 95% interval, beside the paper's MAML numbers. */
export function EvaluationTable({ rows, running, iteration }: { rows: EvaluationRow[]; running: boolean; iteration: number }) {
  const baseline = rows.some((r) => r.pretrained);
  const total = rows.reduce((n, r) => n + r.episodes * (baseline ? 2 : 1), 0);
  const done = rows.reduce((n, r) => n + r.done + (r.pretrained?.done ?? 0), 0);
  return (
    <div className="table-wrap" data-testid="evaluation">
      <div className="progress-line">
        <progress max={total} value={done} aria-label="Evaluation progress" data-testid="evaluation-progress" />
        <span className="muted">
          {done} / {total} episodes {running ? '(running in the background)' : 'done'} · model at meta-iteration {iteration}
        </span>
      </div>
      <table>
        <caption>
          Meta-test accuracy on the held-out alphabets (query accuracy after adaptation, mean ± 95% interval). Episodes mix the alphabets,
          as in the paper; the last row takes all 20 classes from one alphabet, with support and queries by different drawers (Lake et al.'s
          one-shot runs), which is much harder.
        </caption>
        <thead>
          <tr>
            <th scope="col">setting</th>
            <th scope="col">this model</th>
            {baseline && <th scope="col">pretrained baseline</th>}
            <th scope="col">episodes</th>
            <th scope="col">paper (MAML)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.way}-${r.shot}-${r.alphabet ?? ''}`}
              data-testid={`eval-${r.way}-way-${r.shot}-shot${r.alphabet ? '-within' : ''}`}
            >
              <th scope="row">
                {r.way}-way {r.shot}-shot{r.alphabet && <span className="muted"> within {r.alphabet.replace(/_/g, ' ')}</span>}
              </th>
              <td data-testid="eval-accuracy">
                {pct(r.accuracy)} {Number.isFinite(r.ci95) && <span className="muted">± {pct(r.ci95)}</span>}
              </td>
              {baseline && (
                <td data-testid="eval-pretrained">
                  {r.pretrained && r.pretrained.done > 0 ? (
                    <>
                      {pct(r.pretrained.accuracy)}{' '}
                      {Number.isFinite(r.pretrained.ci95) && <span className="muted">± {pct(r.pretrained.ci95)}</span>}
                    </>
                  ) : (
                    '…'
                  )}
                </td>
              )}
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
