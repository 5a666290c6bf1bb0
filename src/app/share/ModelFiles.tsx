import { download, readModelFiles } from './checkpointFiles';
import type { ModelUpload } from '../../maml/io/modelImport';

/** A lab's exported files, as its worker sends them. */
export interface ModelFile {
  name: string;
  data: ArrayBuffer;
  type: string;
}

export type ModelFileMessage = { kind: 'ok' | 'error'; text: string } | null;

/** Saves a lab's exported files, one download each; the line the lab shows about them. */
export function saveModelFiles(files: ModelFile[], note: string): ModelFileMessage {
  for (const f of files) download(f.name, new Blob([f.data], { type: f.type }));
  return { kind: 'ok', text: `Exported ${files.map((f) => f.name).join(' and ')} (${note}).` };
}

/**
 * Export and import of a lab's model, the same in every lab: *Export model* (the project's
 * checkpoint: manifest.json and weights, tfjs's weight format), *Export for PyTorch*
 * (.safetensors) where the lab has it, and *Import model…* taking either back. Bad files are
 * refused with the reason, and nothing changes.
 */
export function ModelFiles({
  lab,
  ready,
  safetensors,
  onExport,
  onImport,
  message,
  setMessage,
}: {
  lab: string;
  ready: boolean;
  safetensors: boolean;
  onExport: (format: 'tfjs' | 'safetensors') => void;
  onImport: (upload: ModelUpload) => void;
  message: ModelFileMessage;
  setMessage: (m: ModelFileMessage) => void;
}) {
  const importFiles = async (files: FileList | null) => {
    if (!files?.length) return;
    const read = await readModelFiles([...files], { safetensors });
    if ('error' in read) {
      setMessage({ kind: 'error', text: `Import refused, nothing changed. ${read.error}` });
      return;
    }
    setMessage({ kind: 'ok', text: `Checking ${read.name}…` });
    onImport(read);
  };
  return (
    <div className="toolbar files" role="group" aria-label="Model files">
      <button disabled={!ready} data-testid={`${lab}-export`} onClick={() => onExport('tfjs')}>
        Export model
      </button>
      {safetensors && (
        <button disabled={!ready} data-testid={`${lab}-export-safetensors`} onClick={() => onExport('safetensors')}>
          Export for PyTorch
        </button>
      )}
      <label className={`file-button${ready ? '' : ' disabled'}`}>
        Import model…
        <input
          type="file"
          multiple
          accept={`.json,.bin${safetensors ? ',.safetensors' : ''},application/json,application/octet-stream`}
          disabled={!ready}
          data-testid={`${lab}-import`}
          onChange={(e) => {
            void importFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </label>
      {message && (
        <span
          className={message.kind === 'error' ? 'error-text' : 'muted'}
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid={`${lab}-model-message`}
        >
          {message.text}
        </span>
      )}
    </div>
  );
}
