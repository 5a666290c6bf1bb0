import * as d3 from 'd3';
import { memo } from 'react';
import type { MethodAdaptation } from '../../worker/rlProtocol';
import { METHOD_STYLE } from './methods';

const W = 420;
const H = 220;
const M = { top: 14, right: 10, bottom: 34, left: 52 };

/** Average return before and after the step, per starting point; the numbers are printed on the bars. */
export const ReturnBars = memo(function ReturnBars({ methods, steps = 1 }: { methods: MethodAdaptation[]; steps?: number }) {
  const stepsText = steps === 1 ? 'one gradient step' : `${steps} gradient steps`;
  const vals = methods.flatMap((m) => [m.returnBefore, m.returnAfter]);
  const lo = Math.min(0, d3.min(vals) ?? -1);
  const y = d3
    .scaleLinear()
    .domain([lo * 1.08, 0])
    .range([H - M.bottom, M.top])
    .nice();
  const x0 = d3
    .scaleBand()
    .domain(methods.map((m) => m.method))
    .range([M.left, W - M.right])
    .padding(0.25);
  const x1 = d3.scaleBand().domain(['before', 'after']).range([0, x0.bandwidth()]).padding(0.08);
  const summary = methods
    .map(
      (m) =>
        `${METHOD_STYLE[m.method].label}: ${m.returnBefore.toFixed(1)} before, ${m.returnAfter.toFixed(1)} after ${steps === 1 ? 'one step' : `${steps} steps`}`,
    )
    .join('; ');
  return (
    <figure className="plot" data-testid="return-bars">
      <figcaption>
        <strong>Average return</strong> <span className="muted">before (light) and after (dark) {stepsText}; higher is better</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Average return: ${summary}`}>
        <g className="axes">
          {y.ticks(5).map((t) => (
            <g key={t}>
              <line className="grid" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
              <text x={M.left - 5} y={y(t) + 4} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} />
        </g>
        {methods.map((m) => (
          <g key={m.method} transform={`translate(${x0(m.method)},0)`}>
            {(['before', 'after'] as const).map((phase) => {
              const v = phase === 'before' ? m.returnBefore : m.returnAfter;
              return (
                <g key={phase} data-testid={`bar-${m.method}-${phase}`}>
                  <rect
                    x={x1(phase)}
                    y={y(0)}
                    width={x1.bandwidth()}
                    height={Math.max(0, y(v) - y(0))}
                    fill={METHOD_STYLE[m.method].color}
                    fillOpacity={phase === 'before' ? 0.35 : 0.95}
                  />
                  {/* Inside the end of a long bar (white on the dark bar, dark on the light one), below a short one: neighbours never overlap. */}
                  <text
                    x={x1(phase)! + x1.bandwidth() / 2}
                    y={y(v) - y(0) > 18 ? y(v) - 5 : y(v) + 12}
                    textAnchor="middle"
                    className="bar-value"
                    fill={y(v) - y(0) > 18 ? (phase === 'after' ? 'white' : '#1d2330') : undefined}
                  >
                    {v.toFixed(1)}
                  </text>
                </g>
              );
            })}
            <text x={x0.bandwidth() / 2} y={H - 8} textAnchor="middle" className="bar-label">
              {METHOD_STYLE[m.method].short}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
});
