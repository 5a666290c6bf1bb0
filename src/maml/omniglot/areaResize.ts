/**
 * Area-averaging resize of a single-channel image: each output pixel is the mean of the
 * input over the square it covers, with fractional weights at the edges (105 -> 28 is
 * 3.75 input pixels per output pixel). Shared by the Omniglot packer and by the
 * preprocessing of images people bring themselves.
 *
 * With `window`, the input is the size x size square at (left, top) of the image, paper (0)
 * where it reaches past the image's edges, without that square being made: the work is that
 * of the image pixels it covers, however large the square (a 7,990 x 10 px line needs one of
 * 11,760 px a side).
 */
export function areaResize(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  window?: { left: number; top: number; size: number },
): Float32Array {
  if (width <= 0 || height <= 0 || src.length < width * height) throw new Error(`areaResize: ${src.length} values for ${width}x${height}`);
  const w = window ?? { left: 0, top: 0, size: NaN };
  // Spans over the (virtual) input, shifted to image coordinates; cells outside the image are paper.
  const inside = (cells: [number, number][][], offset: number, n: number) =>
    cells.map((c) => c.map(([i, wt]) => [i + offset, wt] as [number, number]).filter(([i]) => i >= 0 && i < n));
  const allXs = spans(window ? w.size : width, outWidth);
  const allYs = spans(window ? w.size : height, outHeight);
  const xs = inside(allXs, w.left, width);
  const ys = inside(allYs, w.top, height);
  const out = new Float32Array(outWidth * outHeight);
  const row = new Float64Array(outWidth);
  for (let oy = 0; oy < outHeight; oy++) {
    let acc = 0;
    for (const [, wy] of allYs[oy]) acc += wy;
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
    }
    for (let ox = 0; ox < outWidth; ox++) {
      let wsum = 0;
      for (const [, wx] of allXs[ox]) wsum += wx;
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
