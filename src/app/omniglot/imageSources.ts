/**
 * Where a person's images come from besides the file picker: files dragged onto the page
 * and images pasted from the clipboard. Both give plain File lists; decoding happens in
 * the worker.
 */
import type { ClipboardEvent as ReactClipboardEvent, DragEvent } from 'react';

/** The files of a drop (folders are not opened here: batch mode takes folders). */
export function droppedFiles(e: DragEvent): File[] {
  return Array.from(e.dataTransfer?.files ?? []);
}

/** The image files of a paste (a screenshot, a copied image, or copied files). */
export function pastedImages(e: ClipboardEvent | ReactClipboardEvent): File[] {
  const data = e.clipboardData;
  if (!data) return [];
  const files = Array.from(data.files ?? []);
  if (files.length) return files;
  return Array.from(data.items ?? [])
    .filter((i) => i.kind === 'file')
    .map((i, n) => {
      const f = i.getAsFile();
      return f && !f.name
        ? new File([f], `pasted image ${n + 1}.${(f.type.split('/')[1] ?? 'png').replace('jpeg', 'jpg')}`, { type: f.type })
        : f;
    })
    .filter((f): f is File => !!f);
}

/** Props for an element that takes dropped files: highlights while something is dragged over it. */
export function dropTarget(onFiles: (files: File[]) => void, setOver: (over: boolean) => void) {
  return {
    onDragOver: (e: DragEvent) => {
      if (!Array.from(e.dataTransfer?.types ?? []).includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      const files = droppedFiles(e);
      if (files.length) onFiles(files);
    },
  };
}
