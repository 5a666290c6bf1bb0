import { describe, expect, it } from 'vitest';
import { onTfjsCpu } from '../testing/onTfjsCpu';
import { createRng } from '../random';
import { randomEpisodes } from '../testing/randomEpisodes';
import { initBody, type ConvNetShape } from '../networks/convNet';
import { ConvMamlGpu, GpuMetaGradient, WgslUnavailable, wgslCovers } from './convMamlGpu';
import { metaGradientTensors } from './convMamlTensors';
import { ConvNetTensors } from '../networks/convNetTensors';

/**
 * The engine choice of the GPU path, in Node (no WebGPU here: the WGSL kernels themselves are
 * checked against the float64 kernel on a WebGPU device, e2e/webgpu.spec.ts). A device whose
 * limits are too small for the plan is refused before any GPU call, and the tensor kernel takes over.
 */
const shape: ConvNetShape = { filters: 4, channels: 1, imageSize: 28 };
/** A device that can bind only 1 KB: every call but `limits` would throw. */
const tinyDevice = { limits: { maxStorageBufferBindingSize: 1024, maxBufferSize: 1024 } } as unknown as GPUDevice;

onTfjsCpu();

describe('GPU meta-gradient engines', () => {
  it('the WGSL kernels cover one inner step of maml2 and maml1 only', () => {
    expect(wgslCovers({ alpha: 0.4, steps: 1 }, 'maml2')).toBe(true);
    expect(wgslCovers({ alpha: 0.4, steps: 1 }, 'maml1')).toBe(true);
    expect(wgslCovers({ alpha: 0.4, steps: 2 }, 'maml2')).toBe(false);
    expect(wgslCovers({ alpha: 0.4, steps: 1 }, 'reptile')).toBe(false);
    const g = new GpuMetaGradient(shape, tinyDevice);
    expect(g.kernel({ alpha: 0.4, steps: 1 }, 'maml2')).toBe('32 WGSL kernels');
    expect(g.kernel({ alpha: 0.4, steps: 3 }, 'maml2')).toBe('batched tensor kernel');
    expect(new GpuMetaGradient(shape, null).kernel({ alpha: 0.4, steps: 1 }, 'maml2')).toBe('batched tensor kernel');
  });

  it('a plan over the device limits is refused, named, and the tensor kernel gives the meta-gradient instead', async () => {
    const rng = createRng('gpu');
    const body = initBody(shape, () => rng.next());
    const batch = randomEpisodes('gpu', 2, 3, 1, 2);
    const inner = { alpha: 0.4, steps: 1 };
    await expect(new ConvMamlGpu(tinyDevice, shape).metaGradient(body, batch, inner, 'maml2')).rejects.toThrow(WgslUnavailable);
    await expect(new ConvMamlGpu(tinyDevice, shape).metaGradient(body, batch, inner, 'maml2')).rejects.toThrow(
      /activations need \d+ MB, more than this device binds \(0 MB\)/,
    );
    const g = new GpuMetaGradient(shape, tinyDevice);
    const got = await g.metaGradient(body, batch, inner, 'maml2');
    expect(g.note).toMatch(/^the WGSL kernels gave way to the tensor kernel: the first block's activations need/);
    expect(g.kernel(inner, 'maml2')).toBe('batched tensor kernel');
    const net = new ConvNetTensors(shape);
    const want = await metaGradientTensors(net, body, batch, inner, 'maml2');
    net.dispose();
    g.dispose();
    expect(got.grads.map((a) => [...a])).toEqual(want.grads.map((a) => [...a]));
    expect(got.sums).toEqual(want.sums);
  });
});
