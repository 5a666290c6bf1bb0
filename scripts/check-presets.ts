/**
 * Runs every preset of the sinusoid lab on the learning core, the way the page's worker
 * does (SinusoidSession, fused kernel where it applies), and checks each does what its
 * description says:
 * - fast-demo: the meta-learner's adapted error falls below 1 and below half the baseline's, within 60 s;
 * - large-alpha: training diverges (the page pauses with a message);
 * - first-vs-second-order: both MAMLs end well below the pretrained baseline;
 * - k1-vs-k10: K = 10 ends below K = 1.
 * Prints one JSON line per preset; exits with 1 if any check fails.
 *
 * Then the Omniglot and RL lessons (scripts/lib/checkLessons.ts).
 *
 *   npm run check-presets [-- --engine fused|tfjs] [--seconds 60] [--lab sinusoid,omniglot,rl]
 */
import { parseArgs } from 'node:util';
import { PRESETS } from '../src/maml/sinusoid/presets';
import { methodKey, type CurvePoint } from '../src/maml/sinusoid/views';
import { SinusoidSession, diverged } from '../src/maml/sinusoid/session';
import { useBackend } from './node-backend';
import { checkOmniglotLessons, checkRlLessons } from './lib/checkLessons';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'fused' },
    seconds: { type: 'string', default: '60' },
    lab: { type: 'string', default: 'all' },
  },
});
const labs = args.lab === 'all' ? ['sinusoid', 'omniglot', 'rl'] : args.lab!.split(',');
await useBackend('wasm');
const engine = args.engine === 'tfjs' ? 'tfjs' : 'fused';
const limitS = Number(args.seconds);

/** Mean of the last n points' value. */
const tail = (pts: CurvePoint[], n: number, f: (p: CurvePoint) => number) => {
  const s = pts.slice(-n);
  return s.reduce((a, p) => a + f(p), 0) / Math.max(1, s.length);
};

let failed = false;
for (const preset of labs.includes('sinusoid') ? PRESETS : []) {
  const compare = [...(preset.compare ?? [])];
  const session = new SinusoidSession({ ...preset.config }, engine, compare);
  const points: CurvePoint[] = [];
  const t0 = performance.now();
  let visibleAt: { iteration: number; seconds: number } | null = null;
  let divergedAt: number | null = null;
  const maxIterations = preset.id === 'paper' ? 300 : 100_000;
  while ((performance.now() - t0) / 1000 < limitS && session.iteration < maxIterations) {
    session.step();
    if (session.iteration % 10) continue;
    const got = await session.flush();
    points.push(...got);
    const bad = got.find(diverged);
    if (bad) {
      divergedAt = bad.iteration;
      break;
    }
    const post = tail(points, 100, (p) => p.post);
    if (!visibleAt && points.length >= 100 && post < 1 && post < 0.5 * tail(points, 100, (p) => p.basePost))
      visibleAt = { iteration: session.iteration, seconds: (performance.now() - t0) / 1000 };
    if (preset.id === 'fast-demo' && visibleAt) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  const final: Record<string, number> = { learner: tail(points, 200, (p) => p.post), baseline: tail(points, 200, (p) => p.basePost) };
  for (const m of compare) final[methodKey(m)] = tail(points, 200, (p) => p.methods?.[methodKey(m)]?.[1] ?? NaN);
  let ok = true;
  if (preset.id === 'fast-demo') ok = visibleAt !== null && visibleAt.seconds < 60;
  if (preset.id === 'large-alpha') ok = divergedAt !== null;
  if (preset.id === 'first-vs-second-order') ok = final.maml2 < 0.6 * final.pretrained && final.maml1 < 0.6 * final.pretrained;
  if (preset.id === 'k1-vs-k10') ok = final['maml2'] < final['maml2-k1'];
  failed ||= !ok;
  console.log(
    JSON.stringify({
      preset: preset.id,
      ok,
      engine: session.learnerEngine,
      iterations: session.iteration,
      seconds: +seconds.toFixed(1),
      visibleAt,
      divergedAt,
      final,
    }),
  );
  session.dispose();
}
// The Omniglot and RL lessons (scripts/lib/checkLessons.ts says what each checks).
for (const row of [...(labs.includes('omniglot') ? checkOmniglotLessons() : []), ...(labs.includes('rl') ? checkRlLessons() : [])]) {
  failed ||= !row.ok;
  console.log(JSON.stringify(row));
}
process.exit(failed ? 1 : 0);
