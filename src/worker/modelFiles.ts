/** A lab's model as the files it offers for download (protocol `modelFiles`). */
export interface ModelFileData {
  name: string;
  data: ArrayBuffer;
  type: string;
}

/** A checkpoint as its two files: `NAME.json` (the manifest, whose weightsManifest names the second) and `NAME.weights.bin`. */
export function checkpointDownload(name: string, manifest: unknown, weights: ArrayBuffer): ModelFileData[] {
  return [
    {
      name: `${name}.json`,
      data: new TextEncoder().encode(JSON.stringify(manifest, null, 1)).buffer as ArrayBuffer,
      type: 'application/json',
    },
    { name: `${name}.weights.bin`, data: weights, type: 'application/octet-stream' },
  ];
}
