/**
 * npm run evaluate -- --experiment rl [--task navigation|velocity] [--goals 100] [--json] [--write]
 * One row per method and task family: mean return over new goals (95% interval) before and after
 * one policy-gradient step, for the shipped maml and pretrained checkpoints and the random
 * initialisation. --write also stores the rows in public/models/rl/evaluation.jsonl.
 */
import { writeFileSync } from 'node:fs';
import { tfGemm } from '../../src/maml/networks/gemm';
import type { TaskFamily } from '../../src/maml/rl/env';
import { evaluateMethod, randomInit, type RlEvaluationRow } from '../../src/maml/rl/evaluation';
import { TASK_FAMILIES, type RlConfig } from '../../src/maml/rl/rlConfig';
import { loadCheckpoint } from '../load-checkpoint';
import { rlModelDir } from './metaTrainRl';

export function loadRlLearner(family: TaskFamily, method: 'maml' | 'pretrained', dir = rlModelDir(family, method)) {
  const ck = loadCheckpoint(dir);
  const st = ck.learners[method];
  if (!st) throw new Error(`${dir} holds no ${method} learner`);
  return { config: ck.manifest.config as RlConfig, theta: st.theta, iteration: st.iteration, seconds: ck.manifest.trainedOn?.seconds ?? 0 };
}

export function evaluateRl(opts: { tasks?: TaskFamily[]; goals: number; json: boolean; write: boolean; root?: string }) {
  const rows: RlEvaluationRow[] = [];
  for (const family of opts.tasks ?? TASK_FAMILIES) {
    const maml = loadRlLearner(family, 'maml', opts.root ? `${opts.root}/${family}/maml` : undefined);
    const pre = loadRlLearner(family, 'pretrained', opts.root ? `${opts.root}/${family}/pretrained` : undefined);
    const starts = [
      ['maml', maml.theta, maml.iteration],
      ['pretrained', pre.theta, pre.iteration],
      ['random', randomInit(maml.config), 0],
    ] as const;
    for (const [method, theta, iteration] of starts) {
      const r = evaluateMethod(maml.config, method, theta as Float32Array[], iteration, opts.goals, undefined, tfGemm);
      const row = {
        ...r,
        returnBefore: +r.returnBefore.toFixed(3),
        returnAfter: +r.returnAfter.toFixed(3),
        ci95Before: +r.ci95Before.toFixed(3),
        ci95After: +r.ci95After.toFixed(3),
      };
      rows.push(row);
      console.log(
        opts.json
          ? JSON.stringify(row)
          : `${family.padEnd(11)} ${method.padEnd(11)} before ${row.returnBefore.toFixed(2)} ± ${row.ci95Before.toFixed(2)}   after one step ${row.returnAfter.toFixed(2)} ± ${row.ci95After.toFixed(2)}   (${row.goals} goals)`,
      );
    }
  }
  if (opts.write) writeFileSync(`${opts.root ?? 'public/models/rl'}/evaluation.jsonl`, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  return rows;
}
