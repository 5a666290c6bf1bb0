/**
 * The Omniglot lab's comparison of algorithms (issue 16) as its worker runs it: an
 * OmniglotComparison stepped in its own loop, one meta-iteration of every algorithm per
 * slice with a yield between, its curve points posted about four times a second. It runs on
 * the CPU kernels (the fused conv kernel, wasm matrix products) even where meta-training
 * itself runs on a GPU; normal training is paused while it runs (omniglotLab.ts).
 */
import type { ConvMetaLearner } from '../maml/omniglot/convLearner';
import { OmniglotComparison, comparisonConfig, type ComparisonPoint } from '../maml/omniglot/comparison';
import type { OmniglotConfig } from '../maml/omniglot/config';
import type { Gemm } from '../maml/networks/gemm';
import type { OmniglotDataset } from '../maml/omniglot/pack';
import type { FromOmniglotWorker, ToOmniglotWorker } from './omniglotProtocol';
import { yieldToEvents } from './yieldToEvents';
import { convPassesLabel } from '../maml/networks/convPassesSimd';
import { gemmLabel } from '../maml/networks/gemmSimd';

export interface ComparisonContext {
  post: (m: FromOmniglotWorker) => void;
  dataset(): OmniglotDataset;
  gemm(): Gemm;
  learner(): ConvMetaLearner;
  /** Checks settings against the lab's table (throws why not). */
  check(config: OmniglotConfig): void;
  /** Pauses normal training (and saves it) before a comparison starts. */
  pauseTraining(): Promise<void>;
  /** Resolves once the CPU kernels may run: the wasm backend active, no GPU step in flight. */
  onCpu(): Promise<void>;
  /** Where meta-training itself runs, when that is a GPU (null: the CPU kernels, as here). */
  gpu(): string | null;
}

export function comparisonRunner(ctx: ComparisonContext) {
  let current: OmniglotComparison | null = null;

  async function run(cmp: OmniglotComparison) {
    let pending: ComparisonPoint[] = [];
    let lastPost = 0;
    let rate = { t: performance.now(), it: 0, value: 0 };
    const send = (running: boolean) => {
      ctx.post({ type: 'compareProgress', iteration: cmp.iteration, running, itersPerSec: rate.value, points: pending });
      pending = [];
      lastPost = performance.now();
    };
    try {
      for (;;) {
        await ctx.onCpu();
        if (current !== cmp) break;
        pending.push(...cmp.step(ctx.dataset()).points);
        const now = performance.now();
        if (now - rate.t > 1000) rate = { t: now, it: cmp.iteration, value: (cmp.iteration - rate.it) / ((now - rate.t) / 1000) };
        else if (rate.value === 0 && cmp.iteration >= 2) rate.value = cmp.iteration / ((now - rate.t) / 1000);
        if (now - lastPost > 250) send(true);
        await yieldToEvents();
      }
    } catch (e) {
      if (current === cmp) current = null;
      ctx.post({ type: 'error', message: `The comparison stopped: ${(e as Error).message}` });
    }
    if (current === null || current === cmp) send(current === cmp); // not once another comparison has started
  }

  return {
    get running() {
      return current !== null;
    },
    async start(msg: Extract<ToOmniglotWorker, { type: 'compare' }>) {
      const model = ctx.learner();
      const { config, notes } = comparisonConfig(model.config, msg.algorithms, msg.from, msg.filters);
      ctx.check(config);
      const from = msg.from === 'current';
      const cmp = new OmniglotComparison(config, msg.algorithms, ctx.gemm(), from ? model.body : undefined, from ? model.iteration : 0);
      await ctx.pauseTraining();
      current = cmp;
      const gpu = ctx.gpu();
      ctx.post({
        type: 'compareStarted',
        algorithms: [...msg.algorithms],
        from: msg.from,
        config,
        notes,
        engine: `the CPU kernels (fused conv kernel, matrix products on ${gemmLabel(ctx.gemm())}, ${convPassesLabel()})${gpu ? `, not ${gpu} where meta-training runs` : ''}`,
      });
      void run(cmp);
    },
    stop() {
      current = null;
    },
  };
}
