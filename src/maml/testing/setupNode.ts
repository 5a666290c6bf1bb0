// Node tests run on tfjs's wasm backend, the fastest one in Node here (see npm run bench).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../tf';

await tf.setBackend(process.env.TFJS_BACKEND ?? 'wasm');
await tf.ready();
