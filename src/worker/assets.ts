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

export async function loadDataset(baseUrl: string): Promise<OmniglotDataset> {
  try {
    const [index, bin] = await Promise.all([
      fetchOk(`${baseUrl}data/omniglot.json`).then((r) => r.json()),
      fetchOk(`${baseUrl}data/omniglot.bin`).then((r) => r.arrayBuffer()),
    ]);
    return openOmniglotPack(index, new Uint8Array(bin));
  } catch (e) {
    throw new Error(
      `The Omniglot data could not be loaded (${(e as Error).message}). It is packed by "npm install" from the official zips in $OMNIGLOT_DIR or ../shared/omniglot, or downloaded from github.com/brendenlake/omniglot; run npm run pack-omniglot once they are at hand.`,
      { cause: e },
    );
  }
}
