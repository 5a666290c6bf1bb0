/** The MAML family and its baseline, as in the paper. */
export const ALGORITHMS = ['maml2', 'maml1', 'reptile', 'pretrained'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const ALGORITHM_LABELS: Record<Algorithm, string> = {
  maml2: 'MAML (second order)',
  maml1: 'First-order MAML',
  reptile: 'Reptile',
  pretrained: 'Pretrained (pooled tasks)',
};

/** The meta-learning algorithms of the conv-4 network (its pretrained baseline trains apart, as a 712-way classifier). */
export const CONV_ALGORITHMS = ['maml2', 'maml1', 'reptile'] as const;
export type ConvAlgorithm = (typeof CONV_ALGORITHMS)[number];
