/** Fetching the app's static files from a worker: the packed Omniglot data set. */
import { openOmniglotPack, type OmniglotDataset } from '../maml/omniglot/pack';

export async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  // A static server answers a missing file with the app's index.html.
  if (!/\.html?$/.test(new URL(url).pathname) && (res.headers.get('content-type') ?? '').includes('text/html'))
    throw new Error(`${url} is missing`);
  return res;
}

/** Bytes received and expected (0 when the server does not say), for a progress bar. */
export type Progress = (loaded: number, total: number) => void;

/** A file's bytes, reporting progress as they arrive (at most every 100 ms, and at the end). */
export async function fetchBytes(url: string, progress?: Progress): Promise<ArrayBuffer> {
  const res = await fetchOk(url);
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  if (!progress || !res.body) return res.arrayBuffer();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    const now = performance.now();
    if (now - last > 100) {
      last = now;
      progress(loaded, Math.max(total, loaded));
    }
  }
  progress(loaded, loaded);
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.buffer;
}

export async function loadDataset(baseUrl: string, progress?: Progress): Promise<OmniglotDataset> {
  try {
    const [index, bin] = await Promise.all([
      fetchOk(`${baseUrl}data/omniglot.json`).then((r) => r.json()),
      fetchBytes(`${baseUrl}data/omniglot.bin`, progress),
    ]);
    return openOmniglotPack(index, new Uint8Array(bin));
  } catch (e) {
    throw new Error(
      `The Omniglot data could not be loaded (${(e as Error).message}). It is packed by "npm install" from the official zips in $OMNIGLOT_DIR or ../shared/omniglot, or downloaded from github.com/brendenlake/omniglot; run npm run pack-omniglot once they are at hand.`,
      { cause: e },
    );
  }
}
