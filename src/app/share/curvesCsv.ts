import type { CurvePoint, MethodSpec } from '../../worker/protocol';
import { methodKey } from '../../worker/protocol';

/** Training curves as CSV: one row per stored point, before/after adaptation for every learner shown. */
export function curvesCsv(points: readonly CurvePoint[], compare: readonly MethodSpec[] = []): string {
  const keys = compare.map(methodKey);
  const header = [
    'iteration',
    'learner_pre',
    'learner_post',
    'baseline_pre',
    'baseline_post',
    ...keys.flatMap((k) => [`${k}_pre`, `${k}_post`]),
  ];
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));
  const rows = points.map((p) =>
    [p.iteration, p.pre, p.post, p.basePre, p.basePost, ...keys.flatMap((k) => p.methods?.[k] ?? [undefined, undefined])]
      .map(num)
      .join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}
