/**
 * Numbers typed into a control or written in a link, read one way for every lab: decimal
 * notation only (no 0x10, 0b1, Infinity or 1_000, which JavaScript's Number would take), and
 * whole-number fields take digits only. What people typed is echoed in messages cut to a
 * readable length, never in full (a 10,000-digit value would widen the page).
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const WHOLE = /^[+-]?\d+$/;

/** `text` for a message: at most `max` characters, with an ellipsis where it was cut. */
export function shown(text: string, max = 24): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A finite number in decimal notation, or why not. */
export function parseNumberText(text: string): { value: number } | { error: string } {
  const t = text.trim();
  const v = DECIMAL.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) return { error: `"${shown(text)}" is not a number` };
  return { value: v === 0 ? 0 : v }; // "-0" is 0 (a link writes it back as "0")
}

/** Whether the text is a whole number written in digits (what a whole-number field takes). */
export const isWholeText = (text: string) => WHOLE.test(text.trim());

/**
 * A number for a field with limits: not a number, out of range, or (for a whole-number field)
 * not written in digits alone, each with its message, in that order.
 */
export function parseBounded(text: string, lo: number, hi: number, integer: boolean, range: string): { value: number } | { error: string } {
  const r = parseNumberText(text);
  if ('error' in r) return r;
  if (r.value < lo || r.value > hi) return { error: range };
  if (integer && !isWholeText(text)) return { error: 'must be a whole number' };
  return r;
}

/**
 * A measured value (a loss) for a person to read: three decimals in the usual range, three
 * significant digits in exponent form when it is huge or tiny, and a word when it is not a number.
 */
export function formatLoss(v: number): string {
  if (Number.isNaN(v)) return 'not a number';
  if (!Number.isFinite(v)) return v > 0 ? 'infinite' : '−infinite';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : v.toFixed(3);
}
