import * as d3 from 'd3';
import { memo } from 'react';
import { pixelLine } from '../plotLine';

const W = 300;
const H = 170;
const M = { top: 10, right: 10, bottom: 28, left: 40 };

/**
 * Velocity over time against the goal velocity: the component along the goal direction
 * (the speed that counts) and across it, before (faint) and after (bold) the step.
 */
export const VelocityChart = memo(function VelocityChart({
  before,
  after,
  goal,
  upto,
  color,
  testId,
  title,
}: {
  before: Float32Array[];
  after: Float32Array[];
  goal: [number, number];
  upto: number;
  color: string;
  testId: string;
  title: string;
}) {
  const speed = Math.hypot(goal[0], goal[1]) || 1;
  const [ux, uy] = [goal[0] / speed, goal[1] / speed];
  const steps = (before[0]?.length ?? 2) / 2 - 1;
  const x = d3
    .scaleLinear()
    .domain([0, steps])
    .range([M.left, W - M.right]);
  const y = d3
    .scaleLinear()
    .domain([-0.5, 1.1])
    .range([H - M.bottom, M.top]);
  const series = (a: Float32Array, along: boolean) => {
    const n = Math.min(upto + 1, a.length / 2);
    const pts: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const v = along ? a[2 * i] * ux + a[2 * i + 1] * uy : -a[2 * i] * uy + a[2 * i + 1] * ux;
      pts.push([x(i), y(v)]);
    }
    return pixelLine(pts) ?? '';
  };
  const lastAfter = after[0] ? after[0][2 * Math.min(upto, steps)] * ux + after[0][2 * Math.min(upto, steps) + 1] * uy : 0;
  return (
    <figure className="plot" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong> <span className="muted">velocity along the goal direction (solid) and across it (dotted)</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: goal speed ${speed.toFixed(2)}; after the step the first rollout moves at ${lastAfter.toFixed(2)} along the goal direction at step ${Math.min(upto, steps)}`}
      >
        <g className="axes">
          {y.ticks(4).map((t) => (
            <g key={t}>
              <line className="grid" x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} />
              <text x={M.left - 4} y={y(t) + 4} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          {x.ticks(5).map((t) => (
            <text key={t} x={x(t)} y={H - M.bottom + 14} textAnchor="middle">
              {t}
            </text>
          ))}
          <text x={W - M.right} y={H - 2} textAnchor="end">
            time step
          </text>
        </g>
        <line
          x1={M.left}
          x2={W - M.right}
          y1={y(speed)}
          y2={y(speed)}
          stroke="#c0392b"
          strokeDasharray="6 3"
          strokeWidth={1.5}
          data-testid="goal-speed"
        />
        <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} stroke="#c0392b" strokeDasharray="2 3" strokeWidth={1} />
        {before.map((a, i) => (
          <g key={`b${i}`}>
            <path d={series(a, true)} fill="none" stroke={color} strokeOpacity={0.3} strokeWidth={1} data-testid="velocity-before" />
          </g>
        ))}
        {after.map((a, i) => (
          <g key={`a${i}`}>
            <path d={series(a, true)} fill="none" stroke={color} strokeWidth={2.2} data-testid="velocity-after" />
            {i === 0 && <path d={series(a, false)} fill="none" stroke={color} strokeWidth={1.4} strokeDasharray="2 2" />}
          </g>
        ))}
      </svg>
    </figure>
  );
});
