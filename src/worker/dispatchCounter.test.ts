import { expect, it } from 'vitest';

it('counts every compute dispatch issued, and still issues it', async () => {
  const issued: unknown[][] = [];
  class GPUComputePassEncoder {
    dispatchWorkgroups(...a: unknown[]) {
      issued.push(a);
    }
    dispatchWorkgroupsIndirect(...a: unknown[]) {
      issued.push(a);
    }
  }
  (globalThis as Record<string, unknown>).GPUComputePassEncoder = GPUComputePassEncoder;
  const { dispatchCount } = await import('./dispatchCounter');
  const before = dispatchCount();
  const pass = new GPUComputePassEncoder();
  pass.dispatchWorkgroups(4, 2, 1);
  pass.dispatchWorkgroups(1);
  pass.dispatchWorkgroupsIndirect('buffer', 0);
  expect(dispatchCount() - before).toBe(3);
  expect(issued).toEqual([[4, 2, 1], [1], ['buffer', 0]]);
  delete (globalThis as Record<string, unknown>).GPUComputePassEncoder;
});
