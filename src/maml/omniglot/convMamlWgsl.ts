/**
 * The WGSL kernels of convMamlGpu.ts: one-step MAML from a zero head on the conv-4 network
 * of convNet.ts, for every task of a meta-batch at once. Each function returns one compute
 * shader with the plan's sizes written in as constants (so no uniform buffers), workgroups
 * of 64 invocations, and the workgroup grid folded into two dimensions (`NX` columns) so
 * that no dimension passes WebGPU's 65,535.
 *
 * Layouts (all float32 unless said): images support-first, [T*NS support | T*NQ query],
 * each [H, W, C] (NHWC); a block's pre-activation z and output a [NI, HO, HO, C]; batch-norm
 * statistics per group and channel [G, C, 2] (mean, 1/sqrt(var + eps)), where group g < T
 * is task g's support set and g >= T task g - T's query set (MAML's batch norm uses the
 * statistics of the batch it is run on); parameters packed as the body's arrays in order
 * (W [9*Cin, C], gamma [C], beta [C] per block); labels u32 [T*NS | T*NQ].
 */
import { BN_EPSILON } from '../networks/convPasses';
import type { BlockGeometry } from '../networks/convNet';

export const WORKGROUP = 64;

/** The sizes a plan's shaders are compiled for. */
export interface WgslPlanSizes {
  tasks: number;
  way: number;
  /** Support images per task (way * shot) and query images per task. */
  ns: number;
  nq: number;
  filters: number;
  alpha: number;
  secondOrder: boolean;
  geometry: BlockGeometry[];
  /** Offsets of each block's W, gamma and beta in the packed parameters. */
  offsets: { w: number; gamma: number; beta: number }[];
}

/** Workgroups for `n` items, as [x, y] with x at most 65,535. */
export function grid(n: number): [number, number] {
  const x = Math.max(1, Math.min(n, 65535));
  return [x, Math.ceil(n / x)];
}

const f = (v: number) => {
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};
const u = (v: number) => `${v}u`;

function header(s: WgslPlanSizes, items: number, perItem: 'thread' | 'workgroup') {
  const T = s.tasks;
  const nx = grid(perItem === 'thread' ? Math.ceil(items / WORKGROUP) : items)[0];
  return `
const T = ${u(T)};
const NS = ${u(s.ns)};
const NQ = ${u(s.nq)};
const NI = ${u(T * (s.ns + s.nq))};
const G = ${u(2 * T)};
const N = ${u(s.way)};
const C = ${u(s.filters)};
const NX = ${u(nx)};
const ITEMS = ${u(items)};
fn groupOf(img: u32) -> u32 { if (img < T * NS) { return img / NS; } return T + (img - T * NS) / NQ; }
fn groupSize(g: u32) -> u32 { if (g < T) { return NS; } return NQ; }
fn groupStart(g: u32) -> u32 { if (g < T) { return g * NS; } return T * NS + (g - T) * NQ; }
`;
}

const threadIndex = `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * NX + wg.x) * ${u(WORKGROUP)} + li;
  if (i >= ITEMS) { return; }`;

/** Workgroup-wide sum in shared memory (called in uniform control flow). */
const workgroupSum = `
var<workgroup> sh: array<f32, ${WORKGROUP}>;
fn wgSum(li: u32, v: f32) -> f32 {
  sh[li] = v;
  workgroupBarrier();
  for (var k = ${u(WORKGROUP / 2)}; k > 0u; k = k >> 1u) {
    if (li < k) { sh[li] = sh[li] + sh[li + k]; }
    workgroupBarrier();
  }
  let r = sh[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let item = wg.y * NX + wg.x;
  if (item >= ITEMS) { return; }`;

/** A workgroup's (group, channel) pair and the group's run of positions: elements (base + e) * C + c, e < n. */
const groupChannel = `
  let grp = item / C;
  let c = item % C;
  let n = groupSize(grp) * PL;
  let base = groupStart(grp) * PL;`;

const geometryConsts = (g: BlockGeometry) => `
const H = ${u(g.h)};
const HO = ${u(g.ho)};
const PL = ${u(g.ho * g.wo)};
const CIN = ${u(g.cin)};`;

/** z = conv(input, W): one invocation per output element. */
export function convForward(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  return `${header(s, s.tasks * (s.ns + s.nq) * g.ho * g.wo * g.c, 'thread')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> prm: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
${threadIndex}
  let c = i % C;
  let r = i / C;
  let ox = r % HO;
  let oy = (r / HO) % HO;
  let img = r / PL;
  var acc = 0.0;
  for (var kh = 0u; kh < 3u; kh++) {
    let y = i32(2u * oy + kh) - 1;
    if (y < 0 || y >= i32(H)) { continue; }
    for (var kw = 0u; kw < 3u; kw++) {
      let x = i32(2u * ox + kw) - 1;
      if (x < 0 || x >= i32(H)) { continue; }
      let ib = ((img * H + u32(y)) * H + u32(x)) * CIN;
      let wb = ${u(s.offsets[l].w)} + (kh * 3u + kw) * CIN * C + c;
      for (var ci = 0u; ci < CIN; ci++) { acc = acc + inp[ib + ci] * prm[wb + ci * C]; }
    }
  }
  z[i] = acc;
}`;
}

/** Batch-norm statistics of z per group and channel (two passes): one workgroup each. */
export function statistics(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  return `${header(s, 2 * s.tasks * g.c, 'workgroup')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> st: array<f32>;
${workgroupSum}
${groupChannel}
  var acc = 0.0;
  for (var e = li; e < n; e += ${u(WORKGROUP)}) { acc = acc + z[(base + e) * C + c]; }
  let mean = wgSum(li, acc) / f32(n);
  var sq = 0.0;
  for (var e = li; e < n; e += ${u(WORKGROUP)}) { let d = z[(base + e) * C + c] - mean; sq = sq + d * d; }
  let variance = wgSum(li, sq) / f32(n);
  if (li == 0u) {
    st[item * 2u] = mean;
    st[item * 2u + 1u] = inverseSqrt(variance + ${f(BN_EPSILON)});
  }
}`;
}

/** a = relu(gamma * xhat + beta). */
export function normalizeRelu(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  const o = s.offsets[l];
  return `${header(s, s.tasks * (s.ns + s.nq) * g.ho * g.wo * g.c, 'thread')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> st: array<f32>;
@group(0) @binding(2) var<storage, read> prm: array<f32>;
@group(0) @binding(3) var<storage, read_write> a: array<f32>;
${threadIndex}
  let c = i % C;
  let k = (groupOf(i / C / PL) * C + c) * 2u;
  let hv = prm[${u(o.gamma)} + c] * (z[i] - st[k]) * st[k + 1u] + prm[${u(o.beta)} + c];
  a[i] = max(hv, 0.0);
}`;
}

/**
 * The inner step from a zero head, per task: W1 = -alpha * grad_W L_support(0), a multiple of
 * the centred class sums of the support features; the bias in column D. [T, N, D + 1].
 */
export function headStep(s: WgslPlanSizes): string {
  const D = s.geometry[3].ho * s.geometry[3].wo * s.filters;
  return `${header(s, s.tasks * s.way * (D + 1), 'thread')}
const D = ${u(D)};
@group(0) @binding(0) var<storage, read> feat: array<f32>;
@group(0) @binding(1) var<storage, read> lab: array<u32>;
@group(0) @binding(2) var<storage, read_write> headw: array<f32>;
${threadIndex}
  let e = i % (D + 1u);
  let n = (i / (D + 1u)) % N;
  let t = i / (D + 1u) / N;
  let p = 1.0 / f32(N);
  var acc = 0.0;
  for (var j = 0u; j < NS; j++) {
    let img = t * NS + j;
    var x = 1.0;
    if (e < D) { x = feat[img * D + e]; }
    acc = acc + (p - select(0.0, 1.0, lab[img] == n)) / f32(NS) * x;
  }
  headw[i] = ${f(-s.alpha)} * acc;
}`;
}

/**
 * Each query's logits under the adapted head, its cross-entropy, its credit (1, or 1/m when
 * m classes tie for the largest logit) and dL/dlogits of the task's mean query loss.
 */
export function queryLoss(s: WgslPlanSizes): string {
  const D = s.geometry[3].ho * s.geometry[3].wo * s.filters;
  return `${header(s, s.tasks * s.nq, 'thread')}
const D = ${u(D)};
@group(0) @binding(0) var<storage, read> feat: array<f32>;
@group(0) @binding(1) var<storage, read> headw: array<f32>;
@group(0) @binding(2) var<storage, read> lab: array<u32>;
@group(0) @binding(3) var<storage, read_write> dl: array<f32>;
@group(0) @binding(4) var<storage, read_write> qout: array<f32>;
${threadIndex}
  let t = i / NQ;
  let img = T * NS + i;
  var lg: array<f32, ${s.way}>;
  for (var n = 0u; n < N; n++) { lg[n] = headw[(t * N + n) * (D + 1u) + D]; }
  for (var d = 0u; d < D; d++) {
    let x = feat[img * D + d];
    for (var n = 0u; n < N; n++) { lg[n] = lg[n] + x * headw[(t * N + n) * (D + 1u) + d]; }
  }
  var mx = lg[0];
  for (var n = 1u; n < N; n++) { mx = max(mx, lg[n]); }
  var sum = 0.0;
  var ties = 0.0;
  for (var n = 0u; n < N; n++) { sum = sum + exp(lg[n] - mx); ties = ties + select(0.0, 1.0, lg[n] == mx); }
  let y = lab[img];
  qout[i * 2u] = mx + log(sum) - lg[y];
  qout[i * 2u + 1u] = select(0.0, 1.0 / ties, lg[y] == mx);
  for (var n = 0u; n < N; n++) {
    dl[i * N + n] = (exp(lg[n] - mx) / sum - select(0.0, 1.0, n == y)) / f32(NQ);
  }
}`;
}

/** dL/dW1 per task: [T, N, D]. */
export function headGradient(s: WgslPlanSizes): string {
  const D = s.geometry[3].ho * s.geometry[3].wo * s.filters;
  return `${header(s, s.tasks * s.way * D, 'thread')}
const D = ${u(D)};
@group(0) @binding(0) var<storage, read> feat: array<f32>;
@group(0) @binding(1) var<storage, read> dl: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;
${threadIndex}
  let d = i % D;
  let n = (i / D) % N;
  let t = i / D / N;
  var acc = 0.0;
  for (var q = 0u; q < NQ; q++) { acc = acc + dl[(t * NQ + q) * N + n] * feat[(T * NS + t * NQ + q) * D + d]; }
  dw[i] = acc;
}`;
}

/**
 * dL/dfeatures of every image: for a query, through its logits (dlogits * W1); for a support
 * image, through the inner step (the second-order path: W1 depends on the support features),
 * -alpha / NS * (1/N - onehot) * dL/dW1; zero at first order.
 */
export function featureGradient(s: WgslPlanSizes): string {
  const D = s.geometry[3].ho * s.geometry[3].wo * s.filters;
  return `${header(s, s.tasks * (s.ns + s.nq) * D, 'thread')}
const D = ${u(D)};
@group(0) @binding(0) var<storage, read> headw: array<f32>;
@group(0) @binding(1) var<storage, read> dw: array<f32>;
@group(0) @binding(2) var<storage, read> dl: array<f32>;
@group(0) @binding(3) var<storage, read> lab: array<u32>;
@group(0) @binding(4) var<storage, read_write> dfeat: array<f32>;
${threadIndex}
  let d = i % D;
  let img = i / D;
  var acc = 0.0;
  if (img >= T * NS) {
    let q = img - T * NS;
    let t = q / NQ;
    for (var n = 0u; n < N; n++) { acc = acc + dl[q * N + n] * headw[(t * N + n) * (D + 1u) + d]; }
  } else if (${s.secondOrder}) {
    let t = img / NS;
    let p = 1.0 / f32(N);
    for (var n = 0u; n < N; n++) {
      acc = acc + (p - select(0.0, 1.0, lab[img] == n)) * dw[(t * N + n) * D + d];
    }
    acc = ${f(-s.alpha / s.ns)} * acc;
  }
  dfeat[i] = acc;
}`;
}

/** Per group and channel: r1 = sum(dh), r2 = sum(dh * xhat), dh = da * gate (a > 0). */
export function normBackwardSums(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  return `${header(s, 2 * s.tasks * g.c, 'workgroup')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read> da: array<f32>;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read_write> r: array<f32>;
${workgroupSum}
${groupChannel}
  let mean = st[item * 2u];
  let inv = st[item * 2u + 1u];
  var r1 = 0.0;
  var r2 = 0.0;
  for (var e = li; e < n; e += ${u(WORKGROUP)}) {
    let k = (base + e) * C + c;
    let dh = select(0.0, da[k], a[k] > 0.0);
    r1 = r1 + dh;
    r2 = r2 + dh * (z[k] - mean) * inv;
  }
  let s1 = wgSum(li, r1);
  let s2 = wgSum(li, r2);
  if (li == 0u) {
    r[item * 2u] = s1;
    r[item * 2u + 1u] = s2;
  }
}`;
}

/** dz = (gamma * dh - mean(gamma * dh) - xhat * mean(gamma * dh * xhat)) / s, in place of da. */
export function normBackward(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  return `${header(s, s.tasks * (s.ns + s.nq) * g.ho * g.wo * g.c, 'thread')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read_write> d: array<f32>;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> st: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> prm: array<f32>;
@group(0) @binding(5) var<storage, read> r: array<f32>;
${threadIndex}
  let c = i % C;
  let grp = groupOf(i / C / PL);
  let k = (grp * C + c) * 2u;
  let m = f32(groupSize(grp) * PL);
  let gamma = prm[${u(s.offsets[l].gamma)} + c];
  let xhat = (z[i] - st[k]) * st[k + 1u];
  let dh = select(0.0, d[i], a[i] > 0.0);
  d[i] = (gamma * dh - gamma * r[k] / m - xhat * gamma * r[k + 1u] / m) * st[k + 1u];
}`;
}

/** dL/d(block input) = col2im(dz W^T): one invocation per input element. */
export function convBackwardInput(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  return `${header(s, s.tasks * (s.ns + s.nq) * g.h * g.w * g.cin, 'thread')}${geometryConsts(g)}
@group(0) @binding(0) var<storage, read> dz: array<f32>;
@group(0) @binding(1) var<storage, read> prm: array<f32>;
@group(0) @binding(2) var<storage, read_write> dinp: array<f32>;
${threadIndex}
  let ci = i % CIN;
  let x = (i / CIN) % H;
  let y = (i / CIN / H) % H;
  let img = i / CIN / H / H;
  var acc = 0.0;
  for (var kh = 0u; kh < 3u; kh++) {
    let ty = i32(y) + 1 - i32(kh);
    if (ty < 0 || (ty & 1) != 0 || ty / 2 >= i32(HO)) { continue; }
    for (var kw = 0u; kw < 3u; kw++) {
      let tx = i32(x) + 1 - i32(kw);
      if (tx < 0 || (tx & 1) != 0 || tx / 2 >= i32(HO)) { continue; }
      let zb = ((img * HO + u32(ty / 2)) * HO + u32(tx / 2)) * C;
      let wb = ${u(s.offsets[l].w)} + ((kh * 3u + kw) * CIN + ci) * C;
      for (var c = 0u; c < C; c++) { acc = acc + dz[zb + c] * prm[wb + c]; }
    }
  }
  dinp[i] = acc;
}`;
}

/**
 * Slices of the sum over positions (all images of all tasks) that the filter gradient
 * dL/dW = im2col(input)^T dz splits into, about 512 positions each, so that there are
 * enough invocations for a large GPU; `gradients` adds the slices.
 */
export function filterSlices(s: WgslPlanSizes, l: number): number {
  const g = s.geometry[l];
  return Math.max(1, Math.min(64, Math.ceil((s.tasks * (s.ns + s.nq) * g.ho * g.wo) / 512)));
}

/** Where each block's filter-gradient slices start in the partial sums, and their total length. */
export function partialOffsets(s: WgslPlanSizes): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let o = 0;
  s.geometry.forEach((g, l) => {
    offsets.push(o);
    o += filterSlices(s, l) * 9 * g.cin * g.c;
  });
  return { offsets, total: o };
}

/**
 * One slice of dL/dW per invocation and weight: consecutive invocations take consecutive
 * output channels, so their reads of dz are contiguous and of the input the same.
 */
export function convBackwardFilter(s: WgslPlanSizes, l: number): string {
  const g = s.geometry[l];
  const S = filterSlices(s, l);
  const n = 9 * g.cin * g.c;
  const total = s.tasks * (s.ns + s.nq) * g.ho * g.wo;
  return `${header(s, S * n, 'thread')}${geometryConsts(g)}
const PER = ${u(Math.ceil(total / S))};
@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> dz: array<f32>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
${threadIndex}
  let item = i % ${u(n)};
  let slice = i / ${u(n)};
  let c = item % C;
  let row = item / C;
  let ci = row % CIN;
  let k = row / CIN;
  let kh = k / 3u;
  let kw = k % 3u;
  var acc = 0.0;
  let end = min(NI * PL, (slice + 1u) * PER);
  for (var e = slice * PER; e < end; e++) {
    let pos = e % PL;
    let img = e / PL;
    let y = i32(2u * (pos / HO) + kh) - 1;
    let x = i32(2u * (pos % HO) + kw) - 1;
    if (y >= 0 && y < i32(H) && x >= 0 && x < i32(H)) {
      acc = acc + inp[((img * H + u32(y)) * H + u32(x)) * CIN + ci] * dz[e * C + c];
    }
  }
  part[${u(partialOffsets(s).offsets[l])} + i] = acc;
}`;
}

/**
 * The meta-gradient of the blocks, one invocation per parameter, / T: each filter weight the
 * sum of its slices, each batch norm's gamma and beta the sums over groups of its backward sums.
 */
export function gradients(s: WgslPlanSizes): string {
  const C = s.filters;
  const parts = partialOffsets(s).offsets;
  const length = s.offsets[3].beta + C;
  const blocks = s.offsets
    .map((o, l) => {
      const n = 9 * s.geometry[l].cin * C;
      return `if (i < ${u(o.gamma)}) {
    let j = i - ${u(o.w)};
    for (var q = 0u; q < ${u(filterSlices(s, l))}; q++) { acc = acc + part[${u(parts[l])} + q * ${u(n)} + j]; }
  } else if (i < ${u(o.beta)}) {
    for (var g = 0u; g < G; g++) { acc = acc + r${l}[(g * C + i - ${u(o.gamma)}) * 2u + 1u]; }
  } else {
    for (var g = 0u; g < G; g++) { acc = acc + r${l}[(g * C + i - ${u(o.beta)}) * 2u]; }
  }`;
    })
    .map((body, l) =>
      l < 3
        ? `if (i < ${u(s.offsets[l + 1].w)}) {
  ${body}
  } else `
        : `{
  ${body}
  }`,
    )
    .join('');
  return `${header(s, length, 'thread')}
${[0, 1, 2, 3].map((l) => `@group(0) @binding(${l}) var<storage, read> r${l}: array<f32>;`).join('\n')}
@group(0) @binding(4) var<storage, read> part: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;
${threadIndex}
  var acc = 0.0;
  ${blocks}
  grads[i] = acc / f32(T);
}`;
}
