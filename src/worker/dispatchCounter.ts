/**
 * Counts the WebGPU compute dispatches this worker issues, whoever issues them (tfjs's
 * kernels or our own): the prototype's dispatch methods are wrapped once, so the count is
 * what reaches the device, not an estimate. The machine-independent measure of a GPU
 * engine's launch overhead (`npm run bench`, the Omniglot status line).
 */
let count = 0;
let installed = false;

/** Starts counting (once; a no-op without WebGPU) and returns the total so far. */
export function dispatchCount(): number {
  if (!installed) {
    installed = true;
    const proto = (globalThis as unknown as { GPUComputePassEncoder?: { prototype: Record<string, unknown> } }).GPUComputePassEncoder
      ?.prototype;
    for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
      const original = proto?.[name] as ((...a: unknown[]) => void) | undefined;
      if (!proto || !original) continue;
      proto[name] = function (this: unknown, ...a: unknown[]) {
        count++;
        return original.apply(this, a);
      };
    }
  }
  return count;
}
