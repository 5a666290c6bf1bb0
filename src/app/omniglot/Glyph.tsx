import { useEffect, useRef } from 'react';

/** One 28x28 image (bytes, ink = 255) drawn as dark ink on paper. */
export function Glyph({
  pixels,
  offset = 0,
  size = 56,
  label,
  className,
}: {
  pixels: Uint8Array;
  offset?: number;
  size?: number;
  label: string;
  className?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - pixels[offset + i];
      img.data[4 * i] = v;
      img.data[4 * i + 1] = v;
      img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, offset]);
  return (
    <canvas
      ref={ref}
      width={28}
      height={28}
      style={{ width: size, height: size }}
      className={`glyph ${className ?? ''}`}
      role="img"
      aria-label={label}
    />
  );
}
