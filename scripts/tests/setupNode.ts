// Node tests run on tfjs's wasm backend, the fastest one in Node here (see npm run bench).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../../src/maml/tf';
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdSupported } from '../../src/maml/networks/gemmSimd';

// Relaxed SIMD (the matrix product's fused multiply-add, as Chromium runs it) is behind a flag in Node 20's V8.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');

await tf.setBackend(process.env.TFJS_BACKEND ?? 'wasm');
await tf.ready();
