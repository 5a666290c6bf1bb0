/**
 * The MAML meta-gradient of convMaml.ts as 32 hand-written WGSL compute dispatches per
 * meta-iteration (convMamlWgsl.ts), every task of the meta-batch at once, directly on a
 * GPUDevice (the one tfjs-backend-webgpu already holds, in the lab). For one inner step
 * from a zero head, second or first order: the default and the shipped models' setting.
 *
 * Why this covers second-order MAML exactly: at a zero head every logit is 0 whatever the
 * blocks compute, so the support loss's gradient with respect to the blocks is zero and its
 * Hessian's blocks-blocks part vanishes too; the inner step moves only the head, to
 * W1 = -alpha * grad_W L_s, a function of the support features. The meta-gradient is then
 * the query loss's gradient through the query images' features plus its pull-back through
 * W1 onto the support images' features, backpropagated through the same network: one
 * forward pass and one backward pass over support and query images together, with the
 * batch-norm statistics of each set of each task kept apart (groups).
 *
 * Per meta-iteration, in one compute pass: per block a convolution, its statistics and
 * batch norm + ReLU (12); the head's step, the query loss, dL/dW1 and dL/dfeatures (4); per
 * block the batch norm's backward sums, dz, the filter gradient and (but the first) the
 * input gradient (15); the batch norms' parameter gradients (1). Then one read-back: the
 * meta-gradient and each query's loss and credit. The blocks and Adam stay on the CPU
 * (ConvMetaLearner.stepWith), as for the tensor kernel: a lost device loses nothing.
 */
import type { EpisodeBatch } from './tasks';
import type { ConvAlgorithm } from '../algorithm/algorithm';
import { oneStepFromZeroHead, type ConvInner, type TaskSums } from './convMaml';
import { blockGeometry, featureSize, type ConvNetShape } from '../networks/convNet';
import * as k from './convMamlWgsl';
import { ConvNetTensors } from '../networks/convNetTensors';
import { metaGradientTensors } from './convMamlTensors';

/** Whether this engine computes the meta-gradient of these settings (else the tensor kernel does). */
export function wgslCovers(inner: ConvInner, algorithm: ConvAlgorithm): boolean {
  return oneStepFromZeroHead(inner, algorithm);
}

export const WGSL_DISPATCHES = 32;

const STORAGE = 0x0080; // GPUBufferUsage.STORAGE
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const MAP_READ = 0x0001;
const MAP_READ_MODE = 0x0001; // GPUMapMode.READ

interface Pass {
  pipeline: GPUComputePipeline;
  bind: GPUBindGroup;
  groups: [number, number];
}

/** Buffers and pipelines for one set of sizes (meta-batch, way, shot, queries, filters, alpha, order). */
class Plan {
  readonly passes: Pass[] = [];
  readonly x: GPUBuffer;
  readonly prm: GPUBuffer;
  readonly lab: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly qout: GPUBuffer;
  readonly staging: GPUBuffer;
  readonly bodyLength: number;
  private readonly buffers: GPUBuffer[] = [];

  constructor(
    device: GPUDevice,
    readonly sizes: k.WgslPlanSizes,
  ) {
    const { tasks: T, ns, nq, way: N, filters: C, geometry } = sizes;
    const NI = T * (ns + nq);
    const D = featureSize({ filters: C, channels: 1, imageSize: geometry[0].h });
    const last = sizes.offsets[3];
    this.bodyLength = last.beta + C;
    const buf = (floats: number, usage = STORAGE) => {
      const b = device.createBuffer({ size: Math.max(4, floats * 4), usage });
      this.buffers.push(b);
      return b;
    };
    this.x = buf(NI * geometry[0].h * geometry[0].w * geometry[0].cin, STORAGE | COPY_DST);
    this.prm = buf(this.bodyLength, STORAGE | COPY_DST);
    this.lab = buf(T * (ns + nq), STORAGE | COPY_DST);
    this.grads = buf(this.bodyLength, STORAGE | COPY_SRC);
    this.qout = buf(T * nq * 2, STORAGE | COPY_SRC);
    this.staging = buf(this.bodyLength + T * nq * 2, MAP_READ | COPY_DST);
    const act = geometry.map((g) => NI * g.ho * g.wo * g.c);
    const z = act.map((n) => buf(n));
    const a = act.map((n) => buf(n));
    const d = act.map((n) => buf(n)); // dL/da, turned into dL/dz in place
    const st = geometry.map((g) => buf(2 * T * g.c * 2));
    const r = geometry.map((g) => buf(2 * T * g.c * 2));
    const headw = buf(T * N * (D + 1));
    const dl = buf(T * nq * N);
    const dw = buf(T * N * D);
    const part = buf(k.partialOffsets(sizes).total);
    const add = (code: string, items: number, perItem: 'thread' | 'workgroup', bindings: GPUBuffer[]) => {
      const module = device.createShaderModule({ code });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const bind = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      this.passes.push({ pipeline, bind, groups: k.grid(perItem === 'thread' ? Math.ceil(items / k.WORKGROUP) : items) });
    };
    geometry.forEach((g, l) => {
      const input = l === 0 ? this.x : a[l - 1];
      add(k.convForward(sizes, l), act[l], 'thread', [input, this.prm, z[l]]);
      add(k.statistics(sizes, l), 2 * T * g.c, 'workgroup', [z[l], st[l]]);
      add(k.normalizeRelu(sizes, l), act[l], 'thread', [z[l], st[l], this.prm, a[l]]);
    });
    const feat = a[3];
    add(k.headStep(sizes), T * N * (D + 1), 'thread', [feat, this.lab, headw]);
    add(k.queryLoss(sizes), T * nq, 'thread', [feat, headw, this.lab, dl, this.qout]);
    add(k.headGradient(sizes), T * N * D, 'thread', [feat, dl, dw]);
    add(k.featureGradient(sizes), NI * D, 'thread', [headw, dw, dl, this.lab, d[3]]);
    for (let l = 3; l >= 0; l--) {
      const g = geometry[l];
      add(k.normBackwardSums(sizes, l), 2 * T * g.c, 'workgroup', [d[l], z[l], st[l], a[l], r[l]]);
      add(k.normBackward(sizes, l), act[l], 'thread', [d[l], z[l], st[l], a[l], this.prm, r[l]]);
      add(k.convBackwardFilter(sizes, l), k.filterSlices(sizes, l) * 9 * g.cin * g.c, 'thread', [l === 0 ? this.x : a[l - 1], d[l], part]);
      if (l > 0) add(k.convBackwardInput(sizes, l), NI * g.h * g.w * g.cin, 'thread', [d[l], this.prm, d[l - 1]]);
    }
    add(k.gradients(sizes), this.bodyLength, 'thread', [...r, part, this.grads]);
    if (this.passes.length !== WGSL_DISPATCHES)
      throw new Error(`the WGSL plan has ${this.passes.length} dispatches, not ${WGSL_DISPATCHES}`);
  }

  dispose() {
    for (const b of this.buffers) b.destroy();
  }
}

/** The WGSL engine cannot run these sizes on this device (the tensor kernel can take over). */
export class WgslUnavailable extends Error {}

export class ConvMamlGpu {
  private plan: Plan | null = null;

  constructor(
    readonly device: GPUDevice,
    readonly shape: ConvNetShape,
  ) {}

  /**
   * The plan for these sizes, made once. A plan this device cannot hold (a buffer over its
   * limits) or build (a shader or pipeline refused) is a WgslUnavailable error, with why.
   */
  private async planFor(sizes: k.WgslPlanSizes): Promise<Plan> {
    const key = (s: k.WgslPlanSizes) => JSON.stringify({ ...s, geometry: undefined });
    if (this.plan && key(this.plan.sizes) === key(sizes)) return this.plan;
    this.plan?.dispose();
    this.plan = null;
    const g = sizes.geometry[0];
    const largest = 4 * sizes.tasks * (sizes.ns + sizes.nq) * g.ho * g.wo * g.c;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (largest > limit)
      throw new WgslUnavailable(
        `the first block's activations need ${(largest / 2 ** 20).toFixed(0)} MB, more than this device binds (${(limit / 2 ** 20).toFixed(0)} MB)`,
      );
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let plan: Plan | null = null;
    let thrown: unknown = null;
    try {
      plan = new Plan(this.device, sizes);
    } catch (e) {
      thrown = e;
    }
    const problems = [await this.device.popErrorScope(), await this.device.popErrorScope()].filter((e) => e !== null);
    if (!plan) throw thrown;
    if (problems.length) {
      plan.dispose();
      throw new WgslUnavailable(`the device refused the kernels (${problems[0]!.message})`);
    }
    this.plan = plan;
    return plan;
  }

  /** The mean meta-gradient of the blocks over the batch's tasks and the task sums, as metaGradientTensors gives them. */
  async metaGradient(
    body: Float32Array[],
    batch: EpisodeBatch,
    inner: ConvInner,
    algorithm: ConvAlgorithm,
  ): Promise<{ grads: Float32Array[]; sums: TaskSums }> {
    if (!wgslCovers(inner, algorithm))
      throw new Error(`the WGSL engine covers one inner step of maml2 or maml1, not ${inner.steps} of ${algorithm}`);
    const { tasks: T, way: N } = batch;
    const ns = batch.way * batch.shot;
    const nq = batch.way * batch.queries;
    const offsets: k.WgslPlanSizes['offsets'] = [];
    let o = 0;
    for (let l = 0; l < 4; l++) {
      offsets.push({ w: o, gamma: o + body[3 * l].length, beta: o + body[3 * l].length + body[3 * l + 1].length });
      o += body[3 * l].length + body[3 * l + 1].length + body[3 * l + 2].length;
    }
    const plan = await this.planFor({
      tasks: T,
      way: N,
      ns,
      nq,
      filters: this.shape.filters,
      alpha: inner.alpha,
      secondOrder: algorithm === 'maml2',
      geometry: blockGeometry(this.shape),
      offsets,
    });
    const q = this.device.queue;
    const packed = new Float32Array(plan.bodyLength);
    let p = 0;
    for (const b of body) {
      packed.set(b, p);
      p += b.length;
    }
    q.writeBuffer(plan.prm, 0, packed);
    q.writeBuffer(plan.x, 0, batch.support);
    q.writeBuffer(plan.x, batch.support.byteLength, batch.query);
    const labels = new Uint32Array(T * (ns + nq));
    labels.set(batch.supportLabels);
    labels.set(batch.queryLabels, T * ns);
    q.writeBuffer(plan.lab, 0, labels);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const s of plan.passes) {
      pass.setPipeline(s.pipeline);
      pass.setBindGroup(0, s.bind);
      pass.dispatchWorkgroups(s.groups[0], s.groups[1]);
    }
    pass.end();
    enc.copyBufferToBuffer(plan.grads, 0, plan.staging, 0, plan.bodyLength * 4);
    enc.copyBufferToBuffer(plan.qout, 0, plan.staging, plan.bodyLength * 4, T * nq * 2 * 4);
    q.submit([enc.finish()]);
    await plan.staging.mapAsync(MAP_READ_MODE);
    const values = new Float32Array(plan.staging.getMappedRange().slice(0));
    plan.staging.unmap();
    const grads = body.map(() => new Float32Array(0));
    p = 0;
    body.forEach((b, i) => {
      grads[i] = values.slice(p, p + b.length);
      p += b.length;
    });
    let postLoss = 0;
    let postCorrect = 0;
    for (let i = 0; i < T * nq; i++) {
      postLoss += values[p + 2 * i] / nq;
      postCorrect += values[p + 2 * i + 1];
    }
    return {
      grads,
      sums: { tasks: T, preLoss: T * Math.log(N), postLoss, preCorrect: (T * nq) / N, postCorrect, queries: T * nq },
    };
  }

  dispose() {
    this.plan?.dispose();
    this.plan = null;
  }
}

/**
 * Meta-gradients on a GPU backend: the WGSL kernels above where they cover the settings and
 * a WebGPU device is given, else the batched tensor kernel (convMamlTensors.ts: any number
 * of inner steps, every algorithm, WebGL too). Tensors are made with the GPU backend active.
 */
export class GpuMetaGradient {
  private tensors: ConvNetTensors | null = null;
  private readonly wgsl: ConvMamlGpu | null;
  /** Why the WGSL kernels gave way to the tensor kernel, once they did. */
  note: string | null = null;

  constructor(
    readonly shape: ConvNetShape,
    device: GPUDevice | null,
  ) {
    this.wgsl = device ? new ConvMamlGpu(device, shape) : null;
  }

  private usesWgsl(inner: ConvInner, algorithm: ConvAlgorithm) {
    return this.wgsl !== null && this.note === null && wgslCovers(inner, algorithm);
  }

  /** What computes these settings' meta-gradients, for the status line. */
  kernel(inner: ConvInner, algorithm: ConvAlgorithm): string {
    return this.usesWgsl(inner, algorithm) ? `${WGSL_DISPATCHES} WGSL kernels` : 'batched tensor kernel';
  }

  async metaGradient(body: Float32Array[], batch: EpisodeBatch, inner: ConvInner, algorithm: ConvAlgorithm) {
    if (this.usesWgsl(inner, algorithm)) {
      try {
        return await this.wgsl!.metaGradient(body, batch, inner, algorithm);
      } catch (e) {
        if (!(e instanceof WgslUnavailable)) throw e;
        this.note = `the WGSL kernels gave way to the tensor kernel: ${e.message}`;
      }
    }
    this.tensors ??= new ConvNetTensors(this.shape);
    return metaGradientTensors(this.tensors, body, batch, inner, algorithm);
  }

  dispose() {
    this.wgsl?.dispose();
    this.tensors?.dispose();
  }
}
