/**
 * tfjs-core with what the learning core needs registered: every op's gradient
 * (needed for second-order MAML) and the chained tensor methods.
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export * from '@tensorflow/tfjs-core';
