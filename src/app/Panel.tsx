import { useRef, useState, type ReactNode } from 'react';
import { download } from './share/checkpointFiles';
import { svgMarkup, svgToPng } from './share/figureExport';

/**
 * One panel of the lab: hidden through the URL (?hide=id), found by the tour
 * (data-panel), and, where it holds plots, saved as SVG or PNG.
 */
export function Panel({
  id,
  hidden,
  exportName,
  className,
  children,
}: {
  id: string;
  hidden: boolean;
  exportName?: string;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (hidden) return null;
  const save = async (kind: 'svg' | 'png') => {
    const svgs = [...(ref.current?.querySelectorAll<SVGSVGElement>('svg[aria-label]') ?? [])];
    try {
      for (const [i, svg] of svgs.entries()) {
        const { markup, width, height } = svgMarkup(svg);
        const name = `${exportName}${svgs.length > 1 ? `-${i + 1}` : ''}.${kind}`;
        download(name, kind === 'svg' ? new Blob([markup], { type: 'image/svg+xml' }) : await svgToPng(markup, width, height));
      }
      setProblem(null);
    } catch (e) {
      setProblem(`Could not save the plot: ${(e as Error).message}`);
    }
  };
  return (
    <div ref={ref} data-panel={id} className={`panel${className ? ` ${className}` : ''}`}>
      {children}
      {exportName && (
        <div className="panel-tools">
          <span className="muted">Save plot:</span>
          <button
            type="button"
            className="small-button"
            data-testid={`save-svg-${id}`}
            onClick={() => save('svg')}
            aria-label={`Save the ${exportName} plot as SVG`}
          >
            SVG
          </button>
          <button
            type="button"
            className="small-button"
            data-testid={`save-png-${id}`}
            onClick={() => save('png')}
            aria-label={`Save the ${exportName} plot as PNG`}
          >
            PNG
          </button>
          {problem && (
            <span className="error-text" role="alert">
              {problem}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
