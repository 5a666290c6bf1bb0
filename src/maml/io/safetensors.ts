/**
 * The safetensors format (Hugging Face), float32 only, for exchanging weights with PyTorch:
 *
 *   8 bytes   N, the header's length, an unsigned 64-bit little-endian integer
 *   N bytes   the header: UTF-8 JSON (space-padded) mapping each tensor name to
 *             {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data
 *             section), plus an optional "__metadata__" of string -> string
 *   the rest  the data section: every tensor's values, little-endian, back to back
 *
 * encodeSafetensors writes what the reference implementation writes: "__metadata__"
 * first, then the tensors sorted by name, data in that order, compact JSON padded with
 * spaces to a multiple of 8 bytes (metadata keys sorted too, so the bytes are
 * deterministic). decodeSafetensors checks the whole header before it allocates any
 * tensor. Pure TypeScript: runs in the page, a worker or Node alike.
 */

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface DecodedSafetensors {
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
  metadata: Record<string, string>;
}

/** The header's size limit (the reference reader allows 100 MB; a model of this project needs a few kB). */
export const MAX_HEADER_BYTES = 1024 * 1024;
/** The default limit on a whole file. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

const METADATA_KEY = '__metadata__';
const HEADER_ALIGN = 8;

const utf8 = (s: string) => new TextEncoder().encode(s);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Names in the reference implementation's order: by their UTF-8 bytes. */
function sortedByName<T>(items: T[], name: (t: T) => string): T[] {
  const keyed = items.map((t) => ({ t, key: utf8(name(t)) }));
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  return keyed.map((k) => k.t);
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Float32 tensors (and optional string metadata) as the bytes of a .safetensors file. */
export function encodeSafetensors(tensors: NamedTensor[], metadata?: Record<string, string>): Uint8Array {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === METADATA_KEY) throw new SafetensorsError(`a tensor cannot be named ${METADATA_KEY}`);
    if (seen.has(t.name)) throw new SafetensorsError(`tensor ${t.name} is given twice`);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`tensor ${t.name} has shape [${t.shape}]: dimensions must be whole numbers`);
    if (product(t.shape) !== t.values.length)
      throw new SafetensorsError(`tensor ${t.name} has shape [${t.shape}] but ${t.values.length} values`);
  }
  const sorted = sortedByName(tensors, (t) => t.name);
  // Built as text in the header's own order (JSON.stringify of an object would put
  // integer-like names such as "0" first).
  const entries: string[] = [];
  if (metadata) {
    const keys = sortedByName(Object.keys(metadata), (k) => k);
    for (const k of keys) if (typeof metadata[k] !== 'string') throw new SafetensorsError(`metadata ${k} is not a string`);
    entries.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const t of sorted) {
    const end = offset + 4 * t.values.length;
    entries.push(`${JSON.stringify(t.name)}:{"dtype":"F32","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = utf8(`{${entries.join(',')}}`);
  const headerLength = json.length + ((HEADER_ALIGN - (json.length % HEADER_ALIGN)) % HEADER_ALIGN);
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let p = 8 + headerLength;
  for (const t of sorted) {
    for (let i = 0; i < t.values.length; i++, p += 4) view.setFloat32(p, t.values[i], true);
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads a .safetensors file of float32 tensors. Everything is checked before any tensor
 * is allocated: the sizes, the header (JSON, dtypes, shapes, offsets that tile the data
 * section exactly), then every value is finite. Throws SafetensorsError naming the problem.
 */
export function decodeSafetensors(bytes: Uint8Array, opts: { maxBytes?: number } = {}): DecodedSafetensors {
  const fail = (why: string): never => {
    throw new SafetensorsError(`Not a usable safetensors file: ${why}`);
  };
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) fail(`it is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes, too short for the 8-byte header length it must start with`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (high !== 0 || headerLength > MAX_HEADER_BYTES)
    fail(`its header length (${headerLength} bytes) is over the limit of ${MAX_HEADER_BYTES} bytes`);
  if (headerLength > bytes.length - 8)
    fail(`its header length (${headerLength} bytes) runs past the end of the file (${bytes.length - 8} bytes after the length)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('its header is not valid UTF-8 text');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return fail('its header is not valid JSON');
  }
  if (!isRecord(header)) fail('its header is not a JSON object');
  const h = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  if (METADATA_KEY in h) {
    const m = h[METADATA_KEY];
    if (!isRecord(m)) fail(`its ${METADATA_KEY} is not an object of strings`);
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`its ${METADATA_KEY} entry ${k} is not a string`);
      metadata[k] = v as string;
    }
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const infos: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(h)) {
    if (name === METADATA_KEY) continue;
    if (!isRecord(info)) fail(`tensor ${name} is not described by an object`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`tensor ${name} has no dtype`);
    if (dtype !== 'F32') fail(`tensor ${name} is ${dtype}; only float32 (F32) is supported`);
    if (!Array.isArray(shape) || !shape.every(isCount))
      fail(`tensor ${name} has shape ${JSON.stringify(shape)}; a shape is a list of whole numbers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
      fail(`tensor ${name} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end], whole numbers`);
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength)
      fail(`tensor ${name} has data_offsets [${begin}, ${end}], outside the data section of ${dataLength} bytes`);
    const dims = shape as number[];
    // The shape's byte size, bounded by the data section as it is multiplied (no overflow).
    let size = 4;
    for (const d of dims) size = Math.min(size * d, dataLength + 1);
    if (size !== end - begin)
      fail(`tensor ${name} has shape [${dims}], ${4 * product(dims)} bytes of float32, but its data_offsets span ${end - begin} bytes`);
    infos.push({ name, shape: dims, begin, end });
  }
  // The tensors must tile the data section: no gap, no overlap, nothing left over.
  const byOffset = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = '';
  for (const t of byOffset) {
    if (t.begin < at) fail(`tensor ${t.name} (bytes ${t.begin} to ${t.end}) overlaps tensor ${previous}`);
    if (t.begin > at) fail(`bytes ${at} to ${t.begin} of the data section belong to no tensor`);
    at = t.end;
    previous = t.name;
  }
  if (at !== dataLength) fail(`bytes ${at} to ${dataLength} of the data section belong to no tensor`);

  const dataView = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
  for (const t of byOffset) {
    for (let p = t.begin; p < t.end; p += 4)
      if (!Number.isFinite(dataView.getFloat32(p, true))) fail(`tensor ${t.name} holds a value that is not finite (NaN or infinity)`);
  }
  const tensors: DecodedSafetensors['tensors'] = new Map();
  for (const t of infos) {
    const values = new Float32Array((t.end - t.begin) / 4);
    for (let i = 0; i < values.length; i++) values[i] = dataView.getFloat32(t.begin + 4 * i, true);
    tensors.set(t.name, { shape: t.shape, values });
  }
  return { tensors, metadata };
}
