/**
 * RL meta-training from the command line (called by scripts/meta-train.ts): one learner
 * (maml or pretrained) for one task family, seeded batches (seed, family, iteration), a
 * checkpoint with Adam's state every --save-every iterations (a stopped run resumes where it
 * left off), one training-log line per iteration.
 *   npm run meta-train -- --experiment rl --task navigation --method maml [--iterations 150]
 *       [--meta-batch 20] [--epochs 3] [--meta-lr 0.003] [--seed 1] [--out public/models/rl/navigation/maml]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCheckpoint } from '../../src/maml/checkpoint';
import { tfGemm } from '../../src/maml/networks/gemm';
import type { TaskFamily } from '../../src/maml/rl/env';
import { RlLearner } from '../../src/maml/rl/mamlRl';
import { policySizes, rlConfig, type RlConfig } from '../../src/maml/rl/rlConfig';
import { loadCheckpoint, writeCheckpoint } from '../load-checkpoint';

export interface RlTrainArgs {
  family: TaskFamily;
  method: 'maml' | 'pretrained';
  iterations: number;
  out: string;
  fresh: boolean;
  saveEvery: number;
  backend: string;
  overrides: Partial<RlConfig>;
}

export function rlModelDir(family: TaskFamily, method: string): string {
  return `public/models/rl/${family}/${method}`;
}

export async function metaTrainRl(a: RlTrainArgs) {
  mkdirSync(a.out, { recursive: true });
  const manifestPath = join(a.out, 'manifest.json');
  const logPath = join(a.out, 'train-log.jsonl');
  let config = rlConfig(a.family, a.overrides);
  let seconds = 0;
  let learner: RlLearner;
  if (!a.fresh && existsSync(manifestPath)) {
    const ck = loadCheckpoint(a.out);
    config = { ...(ck.manifest.config as RlConfig), ...a.overrides };
    const st =
      ck.learners[a.method] ??
      (() => {
        throw new Error(`${manifestPath} holds no ${a.method} learner`);
      })();
    learner = new RlLearner(config, a.method, tfGemm);
    await learner.restore(st);
    seconds = ck.manifest.trainedOn?.seconds ?? 0;
    console.log(`Resuming ${a.method} ${a.family} from iteration ${learner.iteration}`);
    if (existsSync(logPath)) {
      const kept = readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l && JSON.parse(l).iteration <= learner.iteration);
      writeFileSync(logPath, kept.map((l) => l + '\n').join(''));
    }
  } else {
    learner = new RlLearner(config, a.method, tfGemm);
    writeFileSync(logPath, '');
  }
  const sizes = policySizes(config);
  const save = async () => {
    const { manifest, weights } = await encodeCheckpoint({
      experiment: 'rl',
      architecture: { kind: 'gaussianMlp', sizes, activation: 'relu' },
      config,
      trainedOn: { backend: `node-${a.backend}-fused`, seconds: Math.round(seconds), date: new Date().toISOString() },
      learners: {
        [a.method]: {
          ...(await learner.state()),
          algorithm: a.method === 'maml' ? 'maml-rl-2nd-order' : 'pretrained-joint-pg',
        },
      },
    });
    writeCheckpoint(a.out, { manifest, weights });
  };
  while (learner.iteration < a.iterations) {
    const s = learner.step();
    seconds += s.seconds;
    const rec = {
      ...s,
      seconds: +s.seconds.toFixed(2),
      returnBefore: +s.returnBefore.toFixed(3),
      returnAfter: +s.returnAfter.toFixed(3),
      clippedFraction: +s.clippedFraction.toFixed(3),
      logStd: Array.from(learner.theta[learner.theta.length - 1], (x) => +x.toFixed(3)),
    };
    mkdirSync(a.out, { recursive: true });
    appendFileSync(logPath, JSON.stringify(rec) + '\n');
    console.log(
      `${a.method} ${a.family} iteration ${s.iteration}/${a.iterations}  return before ${s.returnBefore.toFixed(2)}  after ${s.returnAfter.toFixed(2)}  ${s.seconds.toFixed(1)} s`,
    );
    if (learner.iteration % a.saveEvery === 0 || learner.iteration === a.iterations) await save();
  }
  console.log(`Checkpoint written to ${a.out} after ${Math.round(seconds)} s of training.`);
}
