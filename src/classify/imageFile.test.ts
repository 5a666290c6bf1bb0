import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { animatedGif } from '../../e2e/fixtures/images';
import { gifFrames, isAnimated } from './imageFile';

describe('animation detection', () => {
  it('counts the frames of a GIF from its blocks', () => {
    const two = new Uint8Array(animatedGif());
    expect(gifFrames(two)).toBe(2);
    expect(isAnimated(two)).toBe(true);
    // The same file cut after its first frame is a still GIF.
    const one = Uint8Array.from([...two.subarray(0, 19 + 23), 0x3b]);
    expect(gifFrames(one)).toBe(1);
    expect(isAnimated(one)).toBe(false);
  });

  it('finds an APNG animation chunk and passes a plain PNG', () => {
    const png = encode({ width: 2, height: 2, data: new Uint8Array(4), channels: 1, depth: 8 });
    expect(isAnimated(png)).toBe(false);
    // An acTL chunk inserted after IHDR (8-byte signature + 25-byte IHDR chunk).
    const actl = [0, 0, 0, 8, ...Buffer.from('acTL'), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
    const apng = Uint8Array.from([...png.subarray(0, 33), ...actl, ...png.subarray(33)]);
    expect(isAnimated(apng)).toBe(true);
  });
});
