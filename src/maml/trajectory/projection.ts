/**
 * Principal-component projection of a parameter trajectory onto the 2-D plane that
 * explains most of its variance.
 *
 * The snapshots are few (n, a few hundred at most) and long (d, all parameters of the
 * network), so the principal directions come from the n x n Gram matrix G = X X^T of the
 * centred snapshots X (n x d) rather than the d x d covariance: if G u = lambda u with
 * |u| = 1, then X^T u / sqrt(lambda) is a unit principal direction with variance share
 * lambda / trace(G). Everything is computed in float64.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface Projection {
  /** Mean of the snapshots (the plane's origin). */
  mean: Float32Array;
  /** Two orthonormal directions: the first two principal components. */
  axes: [Float32Array, Float32Array];
  /** Fraction of the snapshots' total variance along each axis (0 when there is none). */
  explained: [number, number];
  /** Coordinates of v - mean along the two axes. */
  project(v: Float32Array): [number, number];
}

/**
 * Eigenvalues below this fraction of the largest one (or of the total variance) are
 * treated as zero: their directions are rounding noise, not trajectory.
 */
const RELATIVE_TOLERANCE = 1e-10;

/**
 * Fits the 2-D principal-component plane of `snapshots` (equal-length vectors, oldest
 * first).
 *
 * Signs are a deterministic function of the snapshots, so the picture does not flip
 * between refits: each axis points so that the first (oldest) snapshot has a negative
 * coordinate, i.e. the run starts on the left/bottom; when that coordinate is negligible
 * the last snapshot is made positive instead, and failing that the axis's
 * largest-magnitude component.
 *
 * Degenerate cases give no NaN: with fewer than three distinct snapshots (or zero
 * variance in some direction) the missing axes are deterministic unit vectors
 * orthogonal to the axes found, with explained share 0. With no snapshots the mean and
 * axes are empty and every point projects to [0, 0].
 */
export function fitProjection(snapshots: readonly Float32Array[]): Projection {
  const n = snapshots.length;
  if (n === 0) {
    const empty = new Float32Array(0);
    return { mean: empty, axes: [empty, empty], explained: [0, 0], project: () => [0, 0] };
  }
  const d = snapshots[0].length;
  for (const s of snapshots) {
    if (s.length !== d) throw new Error(`fitProjection: snapshots of different lengths (${d} and ${s.length})`);
  }

  // Centred snapshots, float64.
  const mean64 = new Float64Array(d);
  for (const s of snapshots) for (let j = 0; j < d; j++) mean64[j] += s[j];
  for (let j = 0; j < d; j++) mean64[j] /= n;
  const X = snapshots.map((s) => {
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) row[j] = s[j] - mean64[j];
    return row;
  });

  // Gram matrix and total variance (its trace).
  const G = new Matrix(n, n);
  let total = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const s = dot(X[a], X[b]);
      G.set(a, b, s);
      G.set(b, a, s);
    }
    total += G.get(a, a);
  }

  const axes: Float64Array[] = [];
  const explained: number[] = [];
  if (total > 0 && n > 1) {
    const evd = new EigenvalueDecomposition(G, { assumeSymmetric: true });
    const values = evd.realEigenvalues;
    const vectors = evd.eigenvectorMatrix;
    const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
    const floor = RELATIVE_TOLERANCE * Math.max(values[order[0]], total);
    for (const k of order.slice(0, 2)) {
      const lambda = values[k];
      if (!(lambda > floor)) break;
      // Principal direction X^T u, normalised (and made orthogonal to the first one).
      const dir = new Float64Array(d);
      for (let a = 0; a < n; a++) {
        const ua = vectors.get(a, k);
        const xa = X[a];
        for (let j = 0; j < d; j++) dir[j] += ua * xa[j];
      }
      for (const prev of axes) subtractProjection(dir, prev);
      const norm = Math.sqrt(dot(dir, dir));
      if (!(norm > 0) || !Number.isFinite(norm)) break;
      for (let j = 0; j < d; j++) dir[j] /= norm;
      axes.push(dir);
      explained.push(Math.min(1, Math.max(0, lambda / total)));
    }
  }
  // Missing axes (degenerate trajectory): unit basis vectors made orthogonal to the others.
  for (let e = 0; axes.length < 2 && e < d; e++) {
    const dir = new Float64Array(d);
    dir[e] = 1;
    for (const prev of axes) subtractProjection(dir, prev);
    const norm = Math.sqrt(dot(dir, dir));
    if (norm < 0.5) continue; // nearly parallel to an axis already chosen
    for (let j = 0; j < d; j++) dir[j] /= norm;
    axes.push(dir);
    explained.push(0);
  }
  while (axes.length < 2) {
    // d < 2: nothing orthogonal exists; a zero axis projects everything to 0.
    axes.push(new Float64Array(d));
    explained.push(0);
  }

  for (const axis of axes) orient(axis, X[0], X[n - 1], Math.sqrt(total / n));

  const mean = Float32Array.from(mean64);
  const a0 = Float32Array.from(axes[0]);
  const a1 = Float32Array.from(axes[1]);
  // Projection in float64 from the float64 mean and axes.
  const m = mean64;
  const [p0, p1] = axes;
  const project = (v: Float32Array): [number, number] => {
    if (v.length !== d) throw new Error(`project: vector has ${v.length} values, the projection ${d}`);
    let c0 = 0;
    let c1 = 0;
    for (let j = 0; j < d; j++) {
      const x = v[j] - m[j];
      c0 += x * p0[j];
      c1 += x * p1[j];
    }
    return [c0, c1];
  };
  return { mean, axes: [a0, a1], explained: [explained[0], explained[1]], project };
}

/** v -= (v . u) u for a unit vector u. */
function subtractProjection(v: Float64Array, u: Float64Array) {
  const c = dot(v, u);
  for (let j = 0; j < v.length; j++) v[j] -= c * u[j];
}

/** Dot product with four independent accumulators (the Gram matrix's inner loop). */
function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < n; j++) s0 += a[j] * b[j];
  return s0 + s1 + (s2 + s3);
}

/**
 * Fixes an axis's sign: the first snapshot negative, else the last positive, else the
 * largest-magnitude component positive. `scale` (the snapshots' RMS distance from their
 * mean) decides what counts as negligible.
 */
function orient(axis: Float64Array, first: Float64Array, last: Float64Array, scale: number) {
  const eps = 1e-6 * scale;
  const cFirst = dot(axis, first);
  const cLast = dot(axis, last);
  let flip: boolean;
  if (Math.abs(cFirst) > eps) flip = cFirst > 0;
  else if (Math.abs(cLast) > eps) flip = cLast < 0;
  else {
    let best = 0;
    for (let j = 1; j < axis.length; j++) if (Math.abs(axis[j]) > Math.abs(axis[best])) best = j;
    flip = axis.length > 0 && axis[best] < 0;
  }
  if (flip) for (let j = 0; j < axis.length; j++) axis[j] = -axis[j];
}
