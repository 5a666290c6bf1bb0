/**
 * Evaluates a checkpoint on new tasks and prints one JSON object per line (--json) or a table.
 *   npm run evaluate -- --experiment sinusoid [--checkpoint public/models/sinusoid] [--tasks 600] [--json]
 */
import { parseArgs } from 'node:util';
import * as tf from '../src/maml/tf';
import { evaluateSinusoid, sinusoidObjective } from '../src/maml/experiments/sinusoid';
import { meanCi95 } from '../src/maml/metrics';
import { createRng } from '../src/maml/random';
import { loadCheckpoint } from './load-checkpoint';
import { useBackend } from './node-backend';

const { values: args } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'sinusoid' },
    checkpoint: { type: 'string', default: 'public/models/sinusoid' },
    tasks: { type: 'string', default: '600' },
    seed: { type: 'string', default: '20170309' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
  },
});
if (args.experiment !== 'sinusoid') {
  console.error(`Unknown experiment ${args.experiment}: this build evaluates "sinusoid".`);
  process.exit(2);
}
await useBackend(args.backend);
const ck = loadCheckpoint(args.checkpoint!);
const { config } = ck.manifest;
const obj = sinusoidObjective(config.hidden);
const steps = [0, 1, 5, 10];
const rows: Record<string, unknown>[] = [];
for (const [method, key] of [['maml', 'maml'], ['pretrained', 'pretrained']] as const) {
  const state = ck.learners[key];
  if (!state) continue;
  const theta = state.theta.map((v, i) => tf.tensor(v, obj.shapes[i]));
  for (const k of [5, 10]) {
    // The same tasks for every method and K: the seed fixes them.
    const ev = await evaluateSinusoid(theta, createRng(`${args.seed}/k${k}`), {
      tasks: Number(args.tasks), shots: k, steps, alpha: config.alpha,
    });
    ev.steps.forEach((s, i) => {
      const { mean, ci95 } = meanCi95(ev.mse[i]);
      rows.push({ experiment: 'sinusoid', method, k, steps: s, tasks: Number(args.tasks), mse: +mean.toFixed(4), ci95: +ci95.toFixed(4), iteration: state.iteration });
    });
  }
  tf.dispose(theta);
}
if (args.json) {
  for (const r of rows) console.log(JSON.stringify(r));
} else {
  console.log(`Sinusoid regression, ${args.tasks} new tasks, query MSE (mean ± 95% interval), checkpoint ${args.checkpoint}`);
  console.log('method      K   0 steps          1 step           5 steps          10 steps');
  for (const method of ['maml', 'pretrained'])
    for (const k of [5, 10]) {
      const cells = rows.filter((r) => r.method === method && r.k === k).map((r) => `${(r.mse as number).toFixed(3)} ± ${(r.ci95 as number).toFixed(3)}`.padEnd(17));
      if (cells.length) console.log(`${method.padEnd(11)} ${String(k).padEnd(3)} ${cells.join('')}`);
    }
}
