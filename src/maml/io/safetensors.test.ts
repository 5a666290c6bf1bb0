import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';

/**
 * A file written out by hand from the format's definition (not by the encoder): tensors
 * "a" [2] = [1, -2] and "b" [1, 2] = [0.1, 3] with metadata {format: "pt", note: "hand"}.
 * The header is compact JSON, "__metadata__" first, tensors by name, 155 bytes padded
 * with 5 spaces to 160 (a multiple of 8); then 16 bytes of little-endian float32.
 */
const HEADER =
  '{"__metadata__":{"format":"pt","note":"hand"},' +
  '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
  '"b":{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]}}' +
  '     ';
// prettier-ignore
const FIXTURE = Uint8Array.from([
  // N = 160 as a little-endian u64
  0xa0, 0, 0, 0, 0, 0, 0, 0,
  // the header, ASCII
  ...Array.from(HEADER, (ch) => ch.charCodeAt(0)),
  // a: 1.0 = 0x3f800000, -2.0 = 0xc0000000
  0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0,
  // b: 0.1 = 0x3dcccccd, 3.0 = 0x40400000
  0xcd, 0xcc, 0xcc, 0x3d, 0x00, 0x00, 0x40, 0x40,
]);

/** A file with the given header text (unpadded) and data bytes, for the refusals. */
function file(header: string, data: number[] = [], declaredLength = header.length): Uint8Array {
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setUint32(0, declaredLength, true);
  out.set(
    Array.from(header, (ch) => ch.charCodeAt(0)),
    8,
  );
  out.set(data, 8 + header.length);
  return out;
}

const F32_ONE = [0x00, 0x00, 0x80, 0x3f];

describe('safetensors', () => {
  it('the hand-written fixture is what its comment says', () => {
    expect(HEADER.length).toBe(160);
    expect(FIXTURE.length).toBe(8 + 160 + 16);
  });

  it('decodes a hand-written file', () => {
    const { tensors, metadata } = decodeSafetensors(FIXTURE);
    expect(metadata).toEqual({ format: 'pt', note: 'hand' });
    expect([...tensors.keys()].sort()).toEqual(['a', 'b']);
    expect(tensors.get('a')!.shape).toEqual([2]);
    expect(Array.from(tensors.get('a')!.values)).toEqual([1, -2]);
    expect(tensors.get('b')!.shape).toEqual([1, 2]);
    expect(Array.from(tensors.get('b')!.values)).toEqual([Math.fround(0.1), 3]);
  });

  it('encodes the same tensors to the same bytes, whatever order they and the metadata come in', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'b', shape: [1, 2], values: Float32Array.from([0.1, 3]) },
        { name: 'a', shape: [2], values: Float32Array.from([1, -2]) },
      ],
      { note: 'hand', format: 'pt' },
    );
    expect(Array.from(bytes)).toEqual(Array.from(FIXTURE));
  });

  it('round-trips awkward names, empty tensors, -0 and extreme finite values', () => {
    const tensors = [
      { name: '10', shape: [3], values: Float32Array.from([-0, 3.4028234663852886e38, 1.401298464324817e-45]) },
      { name: '2', shape: [0, 4], values: new Float32Array(0) },
      { name: 'é "quoted"\n', shape: [], values: Float32Array.from([7]) },
    ];
    const bytes = encodeSafetensors(tensors);
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({});
    for (const t of tensors) {
      const got = back.tensors.get(t.name)!;
      expect(got.shape).toEqual(t.shape);
      expect(new Uint32Array(got.values.buffer)).toEqual(new Uint32Array(t.values.buffer));
    }
    // Sorted by name as bytes: "10" < "2" < "é...".
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(0, true)));
    expect(header.indexOf('"10"')).toBeLessThan(header.indexOf('"2"'));
    expect(header.indexOf('"2"')).toBeLessThan(header.indexOf('"é'));
  });

  it('refuses to encode what it cannot write faithfully', () => {
    expect(() => encodeSafetensors([{ name: 'x', shape: [3], values: new Float32Array(2) }])).toThrow(/shape \[3\] but 2 values/);
    const t = { name: 'x', shape: [1], values: new Float32Array(1) };
    expect(() => encodeSafetensors([t, t])).toThrow(/given twice/);
    expect(() => encodeSafetensors([{ ...t, name: '__metadata__' }])).toThrow(SafetensorsError);
  });

  const refusals: [string, Uint8Array, RegExp][] = [
    ['a truncated file', FIXTURE.slice(0, 5), /it is 5 bytes, too short for the 8-byte header length/],
    ['a header length past the end', FIXTURE.slice(0, 100), /header length \(160 bytes\) runs past the end of the file \(92 bytes/],
    ['a huge header length', file('{}', [], 0xffffffff), /header length \(4294967295 bytes\) is over the limit/],
    ['a header that is not JSON', file('{"a": {"dtype":'), /header is not valid JSON/],
    ['a header that is not an object', file('[1,2]'), /header is not a JSON object/],
    [
      'an F16 tensor',
      file('{"features.0.conv.weight":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', F32_ONE),
      /tensor features\.0\.conv\.weight is F16; only float32 \(F32\) is supported/,
    ],
    [
      'an I64 tensor',
      file('{"blocks.0.norm.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]),
      /tensor blocks\.0\.norm\.num_batches_tracked is I64; only float32 \(F32\) is supported/,
    ],
    [
      'data offsets out of range',
      FIXTURE.slice(0, FIXTURE.length - 4),
      /tensor b has data_offsets \[8, 16\], outside the data section of 12 bytes/,
    ],
    [
      'overlapping offsets',
      file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', [
        ...F32_ONE,
        ...F32_ONE,
        ...F32_ONE,
      ]),
      /tensor b \(bytes 4 to 12\) overlaps tensor a/,
    ],
    [
      'a gap between tensors',
      file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', [
        ...F32_ONE,
        ...F32_ONE,
        ...F32_ONE,
      ]),
      /bytes 4 to 8 of the data section belong to no tensor/,
    ],
    [
      'bytes after the last tensor',
      file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [...F32_ONE, ...F32_ONE]),
      /bytes 4 to 8 of the data section belong to no tensor/,
    ],
    [
      'a shape that does not match its length',
      file('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', [...F32_ONE, ...F32_ONE]),
      /tensor a has shape \[3\], 12 bytes of float32, but its data_offsets span 8 bytes/,
    ],
    [
      'a shape that is not whole numbers',
      file('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', F32_ONE),
      /tensor a has shape \[-1\]; a shape is a list of whole numbers/,
    ],
    [
      'a NaN value',
      file('{"weights":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [...F32_ONE, 0x00, 0x00, 0xc0, 0x7f]),
      /tensor weights holds a value that is not finite/,
    ],
    [
      'an infinite value',
      file('{"weights":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0x00, 0x00, 0x80, 0xff]),
      /tensor weights holds a value that is not finite/,
    ],
    ['metadata that is not strings', file('{"__metadata__":{"steps":1}}'), /__metadata__ entry steps is not a string/],
  ];

  it.each(refusals)('refuses %s, saying why', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it('refuses a file over the size limit before reading it', () => {
    expect(() => decodeSafetensors(FIXTURE, { maxBytes: 100 })).toThrow(/184 bytes, over the limit of 100/);
  });

  it('reads a file inside a larger buffer (a Node Buffer from a pool, say)', () => {
    const big = new Uint8Array(FIXTURE.length + 3);
    big.set(FIXTURE, 3);
    const { tensors } = decodeSafetensors(big.subarray(3));
    expect(Array.from(tensors.get('a')!.values)).toEqual([1, -2]);
  });
});
