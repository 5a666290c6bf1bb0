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

/**
 * A field quoted where it holds a comma, quote or line break (RFC 4180). File and class names
 * are user text: one that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
 * or a carriage return) is written as text, with a leading apostrophe (OWASP's CSV-injection rule).
 */
export function csvField(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function predictionsCsv(rows: PredictionRow[]): string {
  return [CSV_HEADER, ...rows.map((r) => `${csvField(r.file)},${csvField(r.predicted)},${r.probability.toFixed(4)}`)].join('\n') + '\n';
}
