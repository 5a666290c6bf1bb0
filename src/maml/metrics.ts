/** Mean and half-width of the 95% confidence interval of the mean (normal approximation). */
export function meanCi95(values: ArrayLike<number>): { mean: number; ci95: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, ci95: (1.96 * sd) / Math.sqrt(n) };
}

/** The most probable class of row `row` of probabilities laid out [rows, way] (the first on ties). */
export function mostProbableClass(probs: ArrayLike<number>, row: number, way: number): number {
  let best = 0;
  for (let c = 1; c < way; c++) if (probs[row * way + c] > probs[row * way + best]) best = c;
  return best;
}
