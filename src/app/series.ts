import type { CurvePoint } from '../worker/protocol';

/**
 * Training curves with bounded memory: once past `limit` points, neighbouring pairs
 * are averaged into one, so a long run keeps its whole history at coarser resolution.
 */
export function appendPoints(series: CurvePoint[], points: CurvePoint[], limit = 1500): CurvePoint[] {
  let out = series.concat(points);
  while (out.length > limit) {
    const merged: CurvePoint[] = [];
    for (let i = 0; i + 1 < out.length; i += 2) {
      const [a, b] = [out[i], out[i + 1]];
      merged.push({
        iteration: b.iteration,
        pre: (a.pre + b.pre) / 2,
        post: (a.post + b.post) / 2,
        basePre: (a.basePre + b.basePre) / 2,
        basePost: (a.basePost + b.basePost) / 2,
      });
    }
    if (out.length % 2) merged.push(out[out.length - 1]);
    out = merged;
  }
  return out;
}
