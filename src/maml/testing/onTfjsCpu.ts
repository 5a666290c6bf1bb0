import { afterAll, beforeAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';

/** Runs a test file's tensors on tfjs's cpu backend (the GPU backends' kernels, in Node) and puts the previous backend back after. */
export function onTfjsCpu() {
  let previous = '';
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });
}
