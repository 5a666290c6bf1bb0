import { ALGORITHM_LABELS } from '../../maml/algorithm/algorithm';
import type { SinusoidConfig } from '../../maml/sinusoid/config';
import { methodKey, methodSource, type MethodSpec, type TraceData } from '../../worker/protocol';
import type { Adaptation } from '../useTrainer';

/** Colour-blind-safe colours (Okabe–Ito), each with its own dash and marker, so colour is never the only signal. */
export const METHOD_STYLES = [
  { color: '#0072b2', dash: '', marker: '●' },
  { color: '#d55e00', dash: '8 4', marker: '■' },
  { color: '#009e73', dash: '2 3', marker: '▲' },
  { color: '#cc79a7', dash: '10 3 2 3', marker: '◆' },
] as const;

export function methodLabel(m: MethodSpec, all: readonly MethodSpec[], config: SinusoidConfig) {
  const withK = all.some((x) => x.shots !== undefined);
  return ALGORITHM_LABELS[m.algorithm] + (withK ? `, K = ${m.shots ?? config.shots}` : '');
}

/** The adaptation trace of a compared method: the meta-learner's, the baseline's, or an extra learner's. */
export function methodTrace(m: MethodSpec, config: SinusoidConfig, a: Adaptation | undefined): TraceData | undefined {
  if (!a) return undefined;
  const src = methodSource(m, config);
  return src === 'learner' ? a.models.learner : src === 'baseline' ? a.models.baseline : a.extra?.[methodKey(m)];
}
