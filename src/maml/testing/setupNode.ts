import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../tf';

await tf.setBackend('cpu');
await tf.ready();
