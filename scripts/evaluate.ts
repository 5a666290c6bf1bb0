/**
 * Evaluates a checkpoint on new tasks and prints one JSON object per line (--json) or a table.
 *   npm run evaluate -- --experiment sinusoid [--checkpoint public/models/sinusoid] [--tasks 600] [--json]
 *   npm run evaluate -- --experiment omniglot [--checkpoint public/models/omniglot] [--episodes 600] [--json]
 *       [--steps K] [--alpha A] [--settings 5x1,5x5,20x1,20x5,20x1@katakana,17x1@tagalog,20x1@any]
 *   WAYxSHOT mixes the held-out alphabets; WAYxSHOT@ALPHABET takes all classes from one (a part of
 *   its name will do; "any" draws one per episode among those with WAY characters).
 *   npm run evaluate -- --experiment rl [--task navigation|velocity] [--goals 100] [--json] [--write]
 */
import { parseArgs } from 'node:util';
import * as tf from '../src/maml/tf';
import { evaluateSinusoid, sinusoidObjective, type SinusoidConfig } from '../src/maml/sinusoid/experiment';
import { meanCi95 } from '../src/maml/metrics';
import { createRng } from '../src/maml/random';
import { loadCheckpoint } from './load-checkpoint';
import { useBackend } from './node-backend';
import { EVALUATION_SEED, evaluateCheckpoint } from './lib/evaluateOmniglot';
import { evaluateRl } from './lib/evaluateRl';
import { WITHIN_ANY_ALPHABET } from '../src/maml/omniglot/tasks';

const { values: args } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'sinusoid' },
    checkpoint: { type: 'string' },
    tasks: { type: 'string', default: '600' },
    seed: { type: 'string' },
    episodes: { type: 'string', default: '600' },
    steps: { type: 'string' },
    alpha: { type: 'string' },
    settings: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
    // RL only
    task: { type: 'string' },
    goals: { type: 'string', default: '100' },
    write: { type: 'boolean', default: false },
  },
});
if (args.experiment === 'rl') {
  await useBackend(args.backend);
  const tasks = args.task ? [args.task as 'navigation' | 'velocity'] : undefined;
  if (tasks && tasks[0] !== 'navigation' && tasks[0] !== 'velocity') throw new Error('--task must be navigation or velocity');
  if (!args.json) console.log(`RL, ${args.goals} new goals, mean return ± 95% interval, 20 trajectories before and after one step`);
  evaluateRl({ tasks, goals: Number(args.goals), json: args.json!, write: args.write! });
  process.exit(0);
}
if (args.experiment === 'omniglot') {
  await useBackend(args.backend);
  const ck = loadCheckpoint(args.checkpoint ?? 'public/models/omniglot');
  const settings = args.settings?.split(',').map((s) => {
    const m = /^(\d+)x(\d+)(?:@(.+))?$/.exec(s.trim());
    if (!m) throw new Error(`--settings: "${s}" is not WAYxSHOT or WAYxSHOT@ALPHABET`);
    const alphabet = m[3] === undefined ? {} : { alphabet: m[3] === 'any' ? WITHIN_ANY_ALPHABET : m[3] };
    return { way: Number(m[1]), shot: Number(m[2]), ...alphabet };
  });
  if (!args.json)
    console.log(
      `Omniglot, held-out alphabets, ${args.episodes} episodes per setting, checkpoint ${args.checkpoint ?? 'public/models/omniglot'}`,
    );
  evaluateCheckpoint(
    ck,
    {
      episodes: Number(args.episodes),
      seed: Number(args.seed ?? EVALUATION_SEED),
      steps: args.steps ? Number(args.steps) : undefined,
      alpha: args.alpha ? Number(args.alpha) : undefined,
      settings,
    },
    (r) =>
      console.log(
        args.json
          ? JSON.stringify(r)
          : `${r.way}-way ${r.shot}-shot${r.alphabet ? ` within ${r.alphabet}` : ''}  ${(100 * r.accuracy).toFixed(1)}% ± ${(100 * r.ci95).toFixed(1)}%  (${r.episodes} episodes, ${r.steps} steps of alpha ${r.alpha}; paper ${r.paper ? (100 * r.paper).toFixed(1) + '%' : '-'})`,
      ),
  );
  process.exit(0);
}
if (args.experiment !== 'sinusoid') {
  console.error(`Unknown experiment ${args.experiment}: this build evaluates "sinusoid", "omniglot" and "rl".`);
  process.exit(2);
}
args.checkpoint ??= 'public/models/sinusoid';
args.seed ??= '20170309';
await useBackend(args.backend);
const ck = loadCheckpoint(args.checkpoint!);
const config = ck.manifest.config as SinusoidConfig;
const obj = sinusoidObjective(config.hidden);
const steps = [0, 1, 5, 10];
const rows: Record<string, unknown>[] = [];
for (const [method, key] of [
  ['maml', 'maml'],
  ['pretrained', 'pretrained'],
] as const) {
  const state = ck.learners[key];
  if (!state) continue;
  const theta = state.theta.map((v, i) => tf.tensor(v, obj.shapes[i]));
  for (const k of [5, 10]) {
    // The same tasks for every method and K: the seed fixes them.
    const ev = await evaluateSinusoid(theta, createRng(`${args.seed}/k${k}`), {
      tasks: Number(args.tasks),
      shots: k,
      steps,
      alpha: config.alpha,
    });
    ev.steps.forEach((s, i) => {
      const { mean, ci95 } = meanCi95(ev.mse[i]);
      rows.push({
        experiment: 'sinusoid',
        method,
        k,
        steps: s,
        tasks: Number(args.tasks),
        mse: +mean.toFixed(4),
        ci95: +ci95.toFixed(4),
        iteration: state.iteration,
      });
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
      const cells = rows
        .filter((r) => r.method === method && r.k === k)
        .map((r) => `${(r.mse as number).toFixed(3)} ± ${(r.ci95 as number).toFixed(3)}`.padEnd(17));
      if (cells.length) console.log(`${method.padEnd(11)} ${String(k).padEnd(3)} ${cells.join('')}`);
    }
}
