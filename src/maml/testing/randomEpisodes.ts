import { createRng } from '../random';
import type { EpisodeBatch } from '../omniglot/tasks';

/** A seeded batch of `tasks` episodes of random sparse 28×28 "drawings", labels in class order (for kernel tests). */
export function randomEpisodes(seed: string, tasks: number, way: number, shot: number, queries: number): EpisodeBatch {
  const rng = createRng(seed);
  const img = (n: number) => Float32Array.from({ length: n * 784 }, () => (rng.next() < 0.2 ? rng.next() : 0));
  const labels = (per: number) => Int32Array.from({ length: tasks * way * per }, (_, i) => Math.floor(i / per) % way);
  return {
    tasks,
    way,
    shot,
    queries,
    support: img(tasks * way * shot),
    supportLabels: labels(shot),
    query: img(tasks * way * queries),
    queryLabels: labels(queries),
    classes: [],
  };
}
