import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';

/** A formula typeset by KaTeX (HTML for the eye, MathML for screen readers). */
export function Formula({ tex, display = true, label }: { tex: string; display?: boolean; label: string }) {
  const html = useMemo(
    () => katex.renderToString(tex, { displayMode: display, output: 'htmlAndMathml', throwOnError: false }),
    [tex, display],
  );
  return <span className="formula" data-testid="formula" aria-label={label} role="math" dangerouslySetInnerHTML={{ __html: html }} />;
}
