/**
 * Area-averaging resize of a single-channel image: each output pixel is the mean of the
 * input over the square it covers, with fractional weights at the edges (105 -> 28 is
 * 3.75 input pixels per output pixel). Shared by the Omniglot packer and by the
 * preprocessing of images people bring themselves.
 */
export function areaResize(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (width <= 0 || height <= 0 || src.length < width * height) throw new Error(`areaResize: ${src.length} values for ${width}x${height}`);
  const xs = spans(width, outWidth);
  const ys = spans(height, outHeight);
  const out = new Float32Array(outWidth * outHeight);
  const row = new Float64Array(outWidth);
  for (let oy = 0; oy < outHeight; oy++) {
    let acc = 0;
    const rowsOut = new Float64Array(outWidth);
    for (const [y, wy] of ys[oy]) {
      row.fill(0);
      const base = y * width;
      for (let ox = 0; ox < outWidth; ox++) {
        let s = 0;
        for (const [x, wx] of xs[ox]) s += wx * src[base + x];
        row[ox] = s;
      }
      for (let ox = 0; ox < outWidth; ox++) rowsOut[ox] += wy * row[ox];
      acc += wy;
    }
    for (let ox = 0; ox < outWidth; ox++) {
      let wsum = 0;
      for (const [, wx] of xs[ox]) wsum += wx;
      out[oy * outWidth + ox] = rowsOut[ox] / (acc * wsum);
    }
  }
  return out;
}

/** For each output cell, the input indices it overlaps and the overlap lengths. */
function spans(n: number, m: number): [number, number][][] {
  const scale = n / m;
  const result: [number, number][][] = [];
  for (let o = 0; o < m; o++) {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const cell: [number, number][] = [];
    for (let i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) {
      const w = Math.min(hi, i + 1) - Math.max(lo, i);
      if (w > 1e-9) cell.push([i, w]);
    }
    result.push(cell);
  }
  return result;
}
