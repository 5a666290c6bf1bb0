import type { RlMethod } from '../../maml/rl/rlConfig';

export const METHOD_STYLE: Record<RlMethod, { label: string; short: string; color: string }> = {
  maml: { label: 'MAML meta-policy', short: 'MAML', color: '#0072b2' },
  pretrained: { label: 'pretrained on all goals', short: 'pretrained', color: '#d55e00' },
  random: { label: 'random initialisation', short: 'random init', color: '#6a6a6a' },
};
