/** The MAML family and its baseline, as in the paper. */
export const ALGORITHMS = ['maml2', 'maml1', 'reptile', 'pretrained'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const ALGORITHM_LABELS: Record<Algorithm, string> = {
  maml2: 'MAML (second order)',
  maml1: 'First-order MAML',
  reptile: 'Reptile',
  pretrained: 'Pretrained (pooled tasks)',
};
