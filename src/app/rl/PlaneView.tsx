import * as d3 from 'd3';
import { memo, type MouseEvent } from 'react';
import { pixelLine } from '../plotLine';

const S = 260;
const M = 26;

export interface PlaneViewProps {
  title: string;
  /** The square shown, [-extent, extent]^2. */
  extent: number;
  before: Float32Array[];
  after: Float32Array[];
  /** Points of each path shown so far (the animation). */
  upto: number;
  /** A goal position to mark, or null (velocity family: no goal position). */
  goal: [number, number] | null;
  /** A goal velocity to draw as an arrow from the origin (velocity goal picker), or null. */
  arrow?: [number, number] | null;
  color: string;
  onPick?: (p: [number, number]) => void;
  label: string;
  testId: string;
  xLabel?: string;
  yLabel?: string;
  showBody?: boolean;
}

/** The plane in SVG: faint rollouts before adaptation, bold ones after, drawn up to `upto` steps; click to pick. */
export const PlaneView = memo(function PlaneView(p: PlaneViewProps) {
  const x = d3
    .scaleLinear()
    .domain([-p.extent, p.extent])
    .range([M, S - M / 2]);
  const y = d3
    .scaleLinear()
    .domain([-p.extent, p.extent])
    .range([S - M, M / 2]);
  const line = (a: Float32Array) => {
    const n = Math.min(p.upto + 1, a.length / 2);
    const pts: [number, number][] = [];
    for (let i = 0; i < n; i++) pts.push([x(a[2 * i]), y(a[2 * i + 1])]);
    return pixelLine(pts) ?? '';
  };
  const head = (a: Float32Array): [number, number] => {
    const i = Math.min(p.upto, a.length / 2 - 1);
    return [x(a[2 * i]), y(a[2 * i + 1])];
  };
  const pick = (e: MouseEvent<SVGSVGElement>) => {
    if (!p.onPick) return;
    const svg = e.currentTarget;
    const r = svg.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * S;
    const py = ((e.clientY - r.top) / r.height) * S;
    const clamp = (v: number) => Math.max(-p.extent, Math.min(p.extent, v));
    p.onPick([+clamp(x.invert(px)).toFixed(3), +clamp(y.invert(py)).toFixed(3)]);
  };
  const ticks = x.ticks(4);
  return (
    <figure className="plot plane" data-testid={p.testId}>
      <figcaption>
        <strong>{p.title}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${S} ${S}`} role="img" aria-label={p.label} className={p.onPick ? 'editable' : undefined} onClick={pick}>
        <g className="axes">
          {ticks.map((t) => (
            <g key={t}>
              <line className="grid" x1={x(t)} x2={x(t)} y1={y(-p.extent)} y2={y(p.extent)} />
              <line className="grid" x1={x(-p.extent)} x2={x(p.extent)} y1={y(t)} y2={y(t)} />
              <text x={x(t)} y={S - M + 14} textAnchor="middle">
                {t}
              </text>
              <text x={M - 4} y={y(t) + 4} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          <rect
            x={x(-p.extent)}
            y={y(p.extent)}
            width={x(p.extent) - x(-p.extent)}
            height={y(-p.extent) - y(p.extent)}
            fill="none"
            stroke="#999"
          />
          {p.xLabel && (
            <text x={S - M / 2} y={S - 2} textAnchor="end">
              {p.xLabel}
            </text>
          )}
          {p.yLabel && (
            <text x={M + 2} y={M / 2 + 8}>
              {p.yLabel}
            </text>
          )}
        </g>
        <defs>
          <clipPath id={`clip-${p.testId}`}>
            <rect x={x(-p.extent)} y={y(p.extent)} width={x(p.extent) - x(-p.extent)} height={y(-p.extent) - y(p.extent)} />
          </clipPath>
        </defs>
        <circle cx={x(0)} cy={y(0)} r={3} fill="#333" aria-hidden="true" />
        <g clipPath={`url(#clip-${p.testId})`}>
          {p.before.map((a, i) => (
            <path key={`b${i}`} d={line(a)} fill="none" stroke={p.color} strokeOpacity={0.35} strokeWidth={1.2} data-testid="path-before" />
          ))}
          {p.after.map((a, i) => (
            <path key={`a${i}`} d={line(a)} fill="none" stroke={p.color} strokeWidth={2.6} data-testid="path-after" />
          ))}
          {p.showBody &&
            p.after.slice(0, 1).map((a, i) => {
              const [hx, hy] = head(a);
              return <circle key={i} cx={hx} cy={hy} r={5} fill={p.color} stroke="white" data-testid="body" />;
            })}
        </g>
        {p.goal && (
          <g data-testid="goal" aria-hidden="true">
            <circle cx={x(p.goal[0])} cy={y(p.goal[1])} r={7} fill="none" stroke="#c0392b" strokeWidth={2} />
            <circle cx={x(p.goal[0])} cy={y(p.goal[1])} r={2} fill="#c0392b" />
          </g>
        )}
        {p.arrow && (
          <g data-testid="goal-arrow" aria-hidden="true">
            <line x1={x(0)} y1={y(0)} x2={x(p.arrow[0])} y2={y(p.arrow[1])} stroke="#c0392b" strokeWidth={2.5} />
            <circle cx={x(p.arrow[0])} cy={y(p.arrow[1])} r={4} fill="#c0392b" />
          </g>
        )}
      </svg>
    </figure>
  );
});
