/**
 * The trajectory picture's data, computed in the worker: theta snapshots during training,
 * their 2-D principal-component projection, and from the current theta each trajectory
 * task's inner-loop path and its optimum theta_i* (refitted every few seconds, since
 * fitting costs hundreds of steps).
 */
import * as tf from '../tf';
import { createRng } from '../random';
import { namedTask } from './tasks';
import { SnapshotStore, flatten } from '../trajectory/snapshots';
import { fitProjection } from '../trajectory/projection';
import { fitTaskOptimaSgd, innerPaths } from '../trajectory/optimum';
import { sizesOf } from './experiment';
import type { DistancePoint, TaskView, TrajectoryPicture, TrajectoryTask } from './views';
import type { SinusoidSession } from './session';

export const TRAJECTORY_TASKS = 5;

export const trajectoryTasks = (seed: number, shots: number): TaskView[] =>
  Array.from({ length: TRAJECTORY_TASKS }, (_, j) => namedTask(seed, 'trajectory', j, shots));

const distanceBetween = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

export class TrajectoryView {
  private store = new SnapshotStore(64, 5);
  private refitting = false;
  private disposed = false;
  private distance: DistancePoint[] = [];
  private optima: { learner: Float32Array[]; baseline: Float32Array[]; distances: number[] } | null = null;
  readonly tasks: TaskView[];

  constructor(seed: number, shots: number) {
    this.tasks = trajectoryTasks(seed, shots);
  }

  /** Records theta when the store asks for it (at a thinning interval). */
  async record(session: SinusoidSession) {
    const it = session.iteration;
    if (this.store.snapshots().length === 0 || this.store.shouldRecord(it)) {
      this.store.add(it, flatten(await session.learner.values()));
    }
  }

  private async paths(theta: tf.Tensor[], alpha: number, steps: number): Promise<Float32Array[][]> {
    return innerPaths(
      theta,
      this.tasks.map((t) => ({ x: t.supportX, y: t.supportY })),
      alpha,
      steps,
    );
  }

  /**
   * Fits each task's optimum from the current theta of both learners, in the background:
   * the fit yields to the event loop every few steps, so training slices and messages run
   * in between. It works on copies of theta, so training may move on meanwhile; when done
   * it adds one point to the distance curve.
   */
  startRefit(session: SinusoidSession, pause: () => Promise<void>) {
    if (this.refitting) return;
    this.refitting = true;
    const iteration = session.iteration;
    const { alpha, testSteps, seed } = session.config;
    const learner = session.learner.theta.map((t) => tf.clone(t));
    const baseline = session.baseline.theta.map((t) => tf.clone(t));
    // Plain gradient descent from theta: the optimum reached along the gradient flow, the
    // nearest one. (Adam moves every parameter by about its rate at each step, so its
    // optima lie far from theta whatever the start, and hide the effect of meta-learning.)
    // On arrays (the fused kernel's gradients), whatever engine trains: on tfjs the two fits
    // took seconds of the worker's time, so at the refits' 4% share a new point came only
    // every minute or two.
    const opts = { rng: createRng(`${seed}/optima/${iteration}`), steps: 150, lr: 0.02, pause, yieldEvery: 10 };
    const sizes = sizesOf(session.config.hidden);
    const values = (theta: tf.Tensor[]) => Promise.all(theta.map((t) => t.data() as Promise<Float32Array>));
    void (async () => {
      try {
        const fitL = await fitTaskOptimaSgd(await values(learner), sizes, this.tasks, opts);
        const fitB = await fitTaskOptimaSgd(await values(baseline), sizes, this.tasks, opts);
        const dl = (await this.paths(learner, alpha, testSteps)).map((p, i) => distanceBetween(p[p.length - 1], fitL.optima[i]));
        const db = (await this.paths(baseline, alpha, testSteps)).map((p, i) => distanceBetween(p[p.length - 1], fitB.optima[i]));
        if (this.disposed) return;
        this.optima = { learner: fitL.optima, baseline: fitB.optima, distances: dl };
        const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
        this.distance.push({ iteration, learner: mean(dl), baseline: mean(db) });
        if (this.distance.length > 400) this.distance = this.distance.filter((_, i) => i % 2 === 0);
      } finally {
        tf.dispose([...learner, ...baseline]);
        this.refitting = false;
      }
    })();
  }

  /** Whether the optima have been fitted at least once. */
  get hasOptima() {
    return this.optima !== null;
  }

  /** Whether a background fit is running. */
  get busy() {
    return this.refitting;
  }

  dispose() {
    this.disposed = true;
  }

  /** Theta's trajectory and the task paths from the current theta, projected. */
  async compute(session: SinusoidSession): Promise<TrajectoryPicture> {
    await this.record(session);
    const snaps = this.store.snapshots();
    const projection = fitProjection(snaps.map((s) => s.values));
    const { alpha, testSteps } = session.config;
    const learnerPaths = await this.paths(session.learner.theta, alpha, testSteps);
    const tasks: TrajectoryTask[] = this.tasks.map((t, i) => ({
      ...t,
      path: learnerPaths[i].map((v) => projection.project(v)),
      optimum: this.optima ? projection.project(this.optima.learner[i]) : undefined,
      distance: this.optima?.distances[i],
    }));
    return {
      iteration: session.iteration,
      points: snaps.map((s) => {
        const [x, y] = projection.project(s.values);
        return { iteration: s.iteration, x, y };
      }),
      explained: projection.explained,
      tasks,
      distance: this.distance.slice(),
      steps: testSteps,
    };
  }
}
