/** Messages of the bench workers (src/bench/*.worker.ts), which the production workers do not serve. */
import type { Algorithm } from '../maml/algorithm/algorithm';
import type { SinusoidConfig } from '../maml/sinusoid/config';
import type { BackendName, EngineName } from '../worker/protocol';

export type ToSinusoidBench =
  /** Meta-iterations per second of one learner on a backend (or the fused kernel). */
  | { type: 'bench'; backend: BackendName; engine?: EngineName; algorithm: Algorithm; iterations: number; config: SinusoidConfig }
  /** The whole lab as the page runs it (training slices, read-backs, views) for `seconds`. */
  | { type: 'benchSession'; backend: BackendName; engine?: EngineName; views: boolean; seconds: number; config: SinusoidConfig };

export type FromSinusoidBench =
  | {
      type: 'benchResult';
      backend: BackendName;
      engine?: EngineName;
      /** The fused kernel's engine (denseKernels.ts: wasm-simd or js), for the fused engine. */
      kernel?: string;
      algorithm: Algorithm;
      metaItersPerSec: number;
      iterations: number;
      note: string;
    }
  | {
      type: 'benchSessionResult';
      backend: BackendName;
      engine: EngineName;
      kernel?: string;
      views: boolean;
      metaItersPerSec: number;
      iterations: number;
      note: string;
    }
  | { type: 'error'; message: string };

export type ToOmniglotBench = {
  type: 'bench';
  /** Where the page's static files are (data/omniglot.*). */
  baseUrl: string;
  filters: number;
  algorithm: 'maml2' | 'maml1';
  iterations: number;
  /** webgpu: the WGSL kernels where they cover the settings (one inner step), else the tensor kernel; webgpu-tensors: always the tensor kernel. */
  engine?: 'fused' | 'webgpu' | 'webgpu-tensors' | 'webgl';
  tasks?: number;
  /** Threads the fused kernel splits each meta-batch over (gradient workers, as the lab does). */
  workers?: number;
};

/** The WGSL engine's meta-gradients on this WebGPU device against the float64 kernel (e2e/webgpu.spec.ts). */
export type ToOmniglotCheck = { type: 'checkWgsl'; baseUrl: string };

export type FromOmniglotBench =
  | {
      type: 'benchResult';
      filters: number;
      algorithm: string;
      backend: string;
      metaItersPerSec: number;
      evalImagesPerSec: number;
      iterations: number;
      tasks: number;
      workers: number;
      /** GPU compute dispatches per meta-iteration (WebGPU), as issued. */
      dispatches?: number;
    }
  | { type: 'status'; message: string }
  | {
      type: 'checkResult';
      /** One per case: what it is, each parameter's relative error, the dispatches it issued, query loss and accuracy (engine, float64). */
      cases: { name: string; errors: number[]; dispatches: number; loss: [number, number]; accuracy: [number, number] }[];
    }
  | { type: 'error'; message: string };
