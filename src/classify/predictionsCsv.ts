/**
 * The predictions of a batch classification as CSV (query file, predicted class,
 * probability), the same for `npm run classify` and the page's download.
 */
export interface PredictionRow {
  file: string;
  predicted: string;
  probability: number;
}

export const CSV_HEADER = 'query,predicted,probability';

/** A field quoted where it holds a comma, quote or line break (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function predictionsCsv(rows: PredictionRow[]): string {
  return [CSV_HEADER, ...rows.map((r) => `${csvField(r.file)},${csvField(r.predicted)},${r.probability.toFixed(4)}`)].join('\n') + '\n';
}
