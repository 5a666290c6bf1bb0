import { memo } from 'react';
import * as d3 from 'd3';
import type { DistancePoint, TaskView, TrajectoryTask } from '../worker/protocol';
import { Axes } from './AdaptationPlot';
import type { Trajectory } from './useTrainer';
import { plotLine } from './plotLine';
import { iterationScale } from './curveScales';

const W = 460;
const H = 340;
const M = { top: 12, right: 14, bottom: 40, left: 48 };

/** Colour of trajectory task i, shared with the adaptation panel's outline. */
export const taskColor = (i: number) => d3.schemeTableau10[i % 10];

export const sameTask = (a: TaskView, b: TaskView) =>
  a.amplitude === b.amplitude &&
  a.phase === b.phase &&
  a.supportX.length === b.supportX.length &&
  a.supportX.every((v, i) => v === b.supportX[i]);

/**
 * The paper's picture, live: theta's path during meta-training (bold), and from the
 * current theta each task's inner-loop steps (gray, or coloured when selected) towards
 * its optimum theta_i* (×), all projected on the trajectory's two principal components.
 */
export const TrajectoryPlot = memo(function TrajectoryPlot({
  trajectory,
  selected,
  onSelect,
}: {
  trajectory?: Trajectory;
  selected: TaskView;
  onSelect: (t: TrajectoryTask) => void;
}) {
  if (!trajectory || trajectory.points.length < 1) {
    return (
      <figure className="plot" data-testid="trajectory">
        <figcaption>
          <strong>Meta-parameter trajectory</strong>
        </figcaption>
        <p className="muted">Recording θ as meta-training runs…</p>
      </figure>
    );
  }
  const { points, tasks, explained, steps } = trajectory;
  const all: [number, number][] = [
    ...points.map((p) => [p.x, p.y] as [number, number]),
    ...tasks.flatMap((t) => [...t.path, ...(t.optimum ? [t.optimum] : [])]),
  ];
  const ext = (i: 0 | 1) => {
    const [lo, hi] = d3.extent(all, (d) => d[i]) as [number, number];
    const pad = Math.max((hi - lo) * 0.08, 1e-3);
    return [lo - pad, hi + pad] as [number, number];
  };
  const x = d3
    .scaleLinear()
    .domain(ext(0))
    .range([M.left, W - M.right]);
  const y = d3
    .scaleLinear()
    .domain(ext(1))
    .range([H - M.bottom, M.top]);
  const line = plotLine<[number, number]>(
    (d) => x(d[0]),
    (d) => y(d[1]),
  );
  const cur = points[points.length - 1];
  const selectedIndex = tasks.findIndex((t) => sameTask(t, selected));
  const mean = d3.mean(
    tasks.filter((t) => t.distance !== undefined),
    (t) => t.distance!,
  );
  return (
    <figure className="plot" data-testid="trajectory">
      <figcaption>
        <strong>Meta-parameter trajectory</strong>{' '}
        <span className="muted">
          θ over {points.length} snapshots; {steps} inner steps per task from the current θ
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={`Trajectory of theta over ${points.length} snapshots up to meta-iteration ${cur.iteration}, projected on two principal components explaining ${(100 * (explained[0] + explained[1])).toFixed(0)}% of its variance. ${tasks.length} task paths${mean !== undefined ? `; mean distance from adapted parameters to each task's optimum ${mean.toFixed(2)}` : ''}.`}
      >
        <Axes
          x={x}
          y={y}
          xLabel={`PC 1 (${(100 * explained[0]).toFixed(0)}% of variance)`}
          yLabel={`PC 2 (${(100 * explained[1]).toFixed(0)}%)`}
        />
        <path
          d={line(points.map((p) => [p.x, p.y])) ?? ''}
          fill="none"
          stroke="#1d2330"
          strokeWidth={3}
          strokeLinejoin="round"
          data-testid="trajectory-line"
          data-points={points.length}
        />
        {tasks.map((t, i) => {
          const on = i === selectedIndex;
          const end = t.path[t.path.length - 1];
          return (
            <g
              key={i}
              className="task-path"
              data-testid="task-path"
              data-selected={on}
              onClick={() => onSelect(t)}
              role="button"
              tabIndex={0}
              aria-label={`Task ${i + 1}: amplitude ${t.amplitude.toFixed(2)}, phase ${t.phase.toFixed(2)}${t.distance !== undefined ? `, distance to optimum ${t.distance.toFixed(2)}` : ''}. Select it in the adaptation panels.`}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect(t)}
            >
              <path d={line(t.path) ?? ''} fill="none" stroke={on ? taskColor(i) : '#9aa1ad'} strokeWidth={on ? 3 : 1.6} />
              <path d={line(t.path) ?? ''} fill="none" stroke="transparent" strokeWidth={12} />
              {t.path.slice(1).map((p, s) => (
                <circle key={s} cx={x(p[0])} cy={y(p[1])} r={on ? 2.6 : 1.8} fill={on ? taskColor(i) : '#9aa1ad'} />
              ))}
              {t.optimum && (
                <>
                  <line
                    x1={x(end[0])}
                    y1={y(end[1])}
                    x2={x(t.optimum[0])}
                    y2={y(t.optimum[1])}
                    stroke={taskColor(i)}
                    strokeDasharray="2 3"
                  />
                  {t.distance !== undefined && (
                    <text
                      x={x(t.optimum[0]) + 7}
                      y={y(t.optimum[1]) + 4}
                      className="distance-label"
                      fill={taskColor(i)}
                      data-testid="task-distance"
                    >
                      {t.distance.toFixed(2)}
                    </text>
                  )}
                  <path
                    d={d3.symbol(d3.symbolCross, on ? 90 : 55)() ?? ''}
                    transform={`translate(${x(t.optimum[0])},${y(t.optimum[1])}) rotate(45)`}
                    fill={taskColor(i)}
                    stroke="#fff"
                    strokeWidth={0.8}
                    data-testid="task-optimum"
                  />
                </>
              )}
            </g>
          );
        })}
        <circle
          cx={x(cur.x)}
          cy={y(cur.y)}
          r={6}
          fill="#f0a800"
          stroke="#1d2330"
          strokeWidth={1.5}
          data-testid="trajectory-current"
          pointerEvents="none"
        />
        <text x={x(cur.x) + 8} y={y(cur.y) - 8} className="theta-label" pointerEvents="none">
          θ
        </text>
      </svg>
      <div className="legend" aria-hidden="true">
        <span className="legend-item">
          <svg width="22" height="10">
            <line x1="0" x2="22" y1="5" y2="5" stroke="#1d2330" strokeWidth={3} />
          </svg>{' '}
          θ during meta-training
        </span>
        <span className="legend-item">
          <svg width="22" height="10">
            <line x1="0" x2="22" y1="5" y2="5" stroke="#9aa1ad" strokeWidth={2} />
          </svg>{' '}
          inner steps per task (click to select)
        </span>
        <span className="legend-item">
          <svg width="12" height="12">
            <path d={d3.symbol(d3.symbolCross, 50)() ?? ''} transform="translate(6,6) rotate(45)" fill="#4e79a7" />
          </svg>{' '}
          task optimum θ*ᵢ
        </span>
        {mean !== undefined && (
          <span className="legend-item" data-testid="mean-distance">
            mean ‖θᵢ({steps}) − θ*ᵢ‖ = <b>{mean.toFixed(2)}</b>
          </span>
        )}
      </div>
    </figure>
  );
});

/** Mean distance from the adapted parameters to each task's optimum, over meta-training. */
export const DistanceCurve = memo(function DistanceCurve({ points }: { points: DistancePoint[] }) {
  const Wd = 460;
  const Hd = 220;
  const Md = { top: 12, right: 14, bottom: 40, left: 48 };
  const last = points[points.length - 1];
  const x = iterationScale(last?.iteration, Md.left, Wd - Md.right);
  const hi = d3.max(points, (p) => Math.max(p.learner, p.baseline)) ?? 1;
  const y = d3
    .scaleLinear()
    .domain([0, hi * 1.1])
    .range([Hd - Md.bottom, Md.top])
    .nice();
  const line = (key: 'learner' | 'baseline') =>
    plotLine<DistancePoint>(
      (p) => x(p.iteration),
      (p) => y(p[key]),
    )(points) ?? '';
  return (
    <figure className="plot" data-testid="distance-curve">
      <figcaption>
        <strong>Distance to the task optima</strong> <span className="muted">mean ‖θᵢ(k) − θ*ᵢ‖ over the trajectory tasks</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${Wd} ${Hd}`}
        role="img"
        aria-label={
          last
            ? `After ${last.iteration} meta-iterations the adapted parameters are ${last.learner.toFixed(2)} from the task optima for the meta-learner and ${last.baseline.toFixed(2)} for the pretrained baseline.`
            : 'No distances yet.'
        }
      >
        <Axes x={x} y={y} xLabel="meta-iteration" yLabel="distance" xFormat={d3.format(',~d')} />
        {points.length > 0 && (
          <>
            <path d={line('learner')} fill="none" stroke="#0072b2" strokeWidth={2.2} data-testid="distance-learner" />
            <path d={line('baseline')} fill="none" stroke="#d55e00" strokeWidth={2.2} strokeDasharray="6 3" />
            {points.map((p) => (
              <g key={p.iteration}>
                <circle cx={x(p.iteration)} cy={y(p.learner)} r={2.5} fill="#0072b2" />
                <circle cx={x(p.iteration)} cy={y(p.baseline)} r={2.5} fill="#d55e00" />
              </g>
            ))}
          </>
        )}
      </svg>
      <div className="legend" aria-hidden="true">
        <span className="legend-item">
          <svg width="22" height="10">
            <line x1="0" x2="22" y1="5" y2="5" stroke="#0072b2" strokeWidth={2} />
          </svg>{' '}
          meta-learner {last && <b>{last.learner.toFixed(2)}</b>}
        </span>
        <span className="legend-item">
          <svg width="22" height="10">
            <line x1="0" x2="22" y1="5" y2="5" stroke="#d55e00" strokeWidth={2} strokeDasharray="6 3" />
          </svg>{' '}
          pretrained baseline {last && <b>{last.baseline.toFixed(2)}</b>}
        </span>
      </div>
    </figure>
  );
});
