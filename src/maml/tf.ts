/**
 * tfjs-core with what the learning core needs registered: every op's gradient
 * (needed for second-order MAML) and the chained tensor methods.
 */
// The package first: its flags (DEBUG and the rest) must be registered before the gradient
// registrations below read them. The production bundle keeps this order anyway; Vite's dev
// server pre-bundles each deep import as an entry of its own, which runs first otherwise.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export * from '@tensorflow/tfjs-core';
