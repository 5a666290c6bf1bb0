/** Picks a tfjs backend for Node scripts: wasm (fastest here) unless --backend says otherwise. */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../src/maml/tf';
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdSupported } from '../src/maml/networks/gemmSimd';

// Relaxed SIMD (the matrix product's fused multiply-add, as Chromium runs it) is behind a flag in Node 20's V8.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');

export const NODE_BACKENDS = ['wasm', 'cpu'] as const;

export async function useBackend(name: string = 'wasm'): Promise<string> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} is not available in Node`);
  await tf.ready();
  return tf.getBackend();
}
