import * as d3 from 'd3';
import { memo, useMemo, useRef, useState, type PointerEvent } from 'react';
import { sinusoid } from '../maml/sinusoid/tasks';
import type { TaskView } from '../worker/protocol';
import { plotLine } from './plotLine';

const W = 460;
const H = 300;
const M = { top: 12, right: 14, bottom: 38, left: 44 };
const X_DOMAIN: [number, number] = [-5, 5];
const Y_DOMAIN: [number, number] = [-6, 6];

/** Colour of inner step s of `steps`: light (initialisation) to dark (fully adapted). */
export const stepColor = (s: number, steps: number) => d3.interpolateViridis(0.9 - (0.85 * s) / Math.max(steps, 1));

interface Props {
  title: string;
  testid: string;
  task: TaskView;
  grid?: Float32Array;
  /** [steps + 1, grid] predictions. */
  curves?: Float32Array;
  steps: number;
  supportLoss?: Float32Array;
  editable: boolean;
  onTaskChange?: (task: TaskView) => void;
  /** Small multiples: a shorter legend. */
  compact?: boolean;
}

/**
 * One model adapting to one task: the true sine, the K support points, and the model's
 * prediction at its initialisation (step 0) and after each inner gradient step.
 * Click to add a support point; drag one to move it.
 */
export const AdaptationPlot = memo(function AdaptationPlot({
  title,
  testid,
  task,
  grid,
  curves,
  steps,
  supportLoss,
  editable,
  onTaskChange,
  compact,
}: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const x = useMemo(
    () =>
      d3
        .scaleLinear()
        .domain(X_DOMAIN)
        .range([M.left, W - M.right]),
    [],
  );
  const y = useMemo(
    () =>
      d3
        .scaleLinear()
        .domain(Y_DOMAIN)
        .range([H - M.bottom, M.top]),
    [],
  );
  const line = plotLine<[number, number]>(
    (d) => x(d[0]),
    (d) => y(Math.max(Y_DOMAIN[0] - 2, Math.min(Y_DOMAIN[1] + 2, d[1]))),
  );
  const truth = d3.range(0, 201).map((i) => {
    const v = X_DOMAIN[0] + (i / 200) * (X_DOMAIN[1] - X_DOMAIN[0]);
    return [v, sinusoid(task, v)] as [number, number];
  });
  const G = grid?.length ?? 0;
  const paths =
    grid && curves
      ? d3.range(steps + 1).map((s) => line(Array.from(grid, (gx, j) => [gx, curves[s * G + j]] as [number, number])) ?? '')
      : [];

  const toData = (e: PointerEvent): [number, number] => {
    const r = svg.current!.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * W;
    const py = ((e.clientY - r.top) / r.height) * H;
    const clamp = (v: number, [a, b]: [number, number]) => Math.max(a, Math.min(b, v));
    return [clamp(x.invert(px), X_DOMAIN), clamp(y.invert(py), Y_DOMAIN)];
  };
  const onDown = (e: PointerEvent) => {
    if (!editable || drag !== null || e.button !== 0) return;
    const [px, py] = toData(e);
    onTaskChange?.({ ...task, supportX: [...task.supportX, px], supportY: [...task.supportY, py] });
  };
  const onMove = (e: PointerEvent) => {
    if (drag === null) return;
    const [px, py] = toData(e);
    const sx = [...task.supportX];
    const sy = [...task.supportY];
    sx[drag] = px;
    sy[drag] = py;
    onTaskChange?.({ ...task, supportX: sx, supportY: sy });
  };
  const last = supportLoss?.[steps];
  const first = supportLoss?.[0];
  const desc =
    `${title}: ${task.supportX.length} support points; prediction shown for inner steps 0 to ${steps}` +
    (first !== undefined && last !== undefined
      ? `; support MSE ${first.toFixed(3)} at step 0, ${last.toFixed(3)} after ${steps} steps.`
      : '.');

  return (
    <figure className="plot" data-testid={testid}>
      <figcaption>
        <strong>{title}</strong>
        {first !== undefined && last !== undefined && (
          <span className="muted" data-testid={`${testid}-loss`}>
            {' '}
            support MSE {first.toFixed(3)} → {last.toFixed(3)}
          </span>
        )}
      </figcaption>
      <svg
        ref={svg}
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={desc}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={() => setDrag(null)}
        onPointerLeave={() => setDrag(null)}
        className={editable ? 'editable' : undefined}
      >
        <defs>
          <clipPath id={`clip-${testid}`}>
            <rect x={M.left} y={M.top} width={W - M.left - M.right} height={H - M.top - M.bottom} />
          </clipPath>
        </defs>
        <Axes x={x} y={y} xLabel="x" yLabel="y" />
        <g clipPath={`url(#clip-${testid})`}>
          <path d={line(truth) ?? ''} className="truth" data-testid={`${testid}-truth`} />
          {paths.map((d, s) => (
            <path
              key={s}
              d={d}
              fill="none"
              stroke={stepColor(s, steps)}
              strokeWidth={s === steps ? 2.6 : s === 0 ? 1.8 : 1}
              strokeDasharray={s === 0 ? '5 3' : undefined}
              opacity={s === 0 || s === steps ? 1 : 0.7}
              data-testid={`${testid}-step-${s}`}
              data-step={s}
            />
          ))}
        </g>
        {task.supportX.map((px, i) => (
          <circle
            key={i}
            cx={x(px)}
            cy={y(task.supportY[i])}
            r={5}
            className="support"
            data-testid={`${testid}-support`}
            tabIndex={editable ? 0 : undefined}
            role={editable ? 'button' : undefined}
            aria-label={
              editable
                ? `Support point ${i + 1}: x ${px.toFixed(2)}, y ${task.supportY[i].toFixed(2)}. Arrow keys move it (Shift: further), Delete removes it.`
                : undefined
            }
            onKeyDown={(e) => {
              if (!editable) return;
              const step = e.shiftKey ? 1 : 0.2;
              const d: Record<string, [number, number]> = {
                ArrowLeft: [-step, 0],
                ArrowRight: [step, 0],
                ArrowUp: [0, step],
                ArrowDown: [0, -step],
              };
              const clamp = (v: number, [a, b]: [number, number]) => Math.max(a, Math.min(b, v));
              if (e.key === 'Delete' || e.key === 'Backspace') {
                onTaskChange?.({
                  ...task,
                  supportX: task.supportX.filter((_, j) => j !== i),
                  supportY: task.supportY.filter((_, j) => j !== i),
                });
              } else if (d[e.key]) {
                const sx = [...task.supportX];
                const sy = [...task.supportY];
                sx[i] = clamp(sx[i] + d[e.key][0], X_DOMAIN);
                sy[i] = clamp(sy[i] + d[e.key][1], Y_DOMAIN);
                onTaskChange?.({ ...task, supportX: sx, supportY: sy });
              } else return;
              e.preventDefault();
            }}
            onPointerDown={(e) => {
              if (!editable) return;
              e.stopPropagation();
              (e.target as Element).setPointerCapture?.(e.pointerId);
              setDrag(i);
            }}
          />
        ))}
      </svg>
      <StepLegend steps={steps} compact={compact} />
    </figure>
  );
});

export function StepLegend({ steps, compact }: { steps: number; compact?: boolean }) {
  return (
    <div className="legend" aria-hidden="true">
      <span className="legend-item">
        <svg width="22" height="10">
          <line x1="0" x2="22" y1="5" y2="5" className="truth" />
        </svg>{' '}
        true function
      </span>
      <span className="legend-item">
        <svg width="12" height="12">
          <circle cx="6" cy="6" r="4" className="support" />
        </svg>{' '}
        support points
      </span>
      {(compact ? [0, steps] : d3.range(steps + 1)).map((s) => (
        <span className="legend-item" key={s}>
          <svg width="18" height="10">
            <line
              x1="0"
              x2="18"
              y1="5"
              y2="5"
              stroke={stepColor(s, steps)}
              strokeWidth={s === steps ? 3 : 2}
              strokeDasharray={s === 0 ? '4 2' : undefined}
            />
          </svg>
          {s === 0 ? 'step 0 (initialisation)' : s === steps ? `step ${s} (adapted)` : s}
        </span>
      ))}
    </div>
  );
}

export function Axes({
  x,
  y,
  xLabel,
  yLabel,
  yTicks,
  xTicks,
  xFormat,
  yFormat,
}: {
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleContinuousNumeric<number, number>;
  xLabel: string;
  yLabel: string;
  yTicks?: number[];
  xTicks?: number[];
}) {
  const [x0, x1] = x.range();
  const [y0, y1] = y.range();
  const xt = xTicks ?? x.ticks(6);
  const yt = yTicks ?? y.ticks(6);
  const fmt = yFormat ?? y.tickFormat(6, '~g');
  return (
    <g className="axes">
      <line x1={x0} x2={x1} y1={y0} y2={y0} />
      <line x1={x0} x2={x0} y1={y0} y2={y1} />
      {xt.map((t) => (
        <g key={`x${t}`} transform={`translate(${x(t)},${y0})`}>
          <line y2={5} />
          <text y={17} textAnchor="middle">
            {(xFormat ?? x.tickFormat(6, '~g'))(t)}
          </text>
        </g>
      ))}
      {yt.map((t) => (
        <g key={`y${t}`} transform={`translate(${x0},${y(t)})`}>
          <line x2={-5} />
          <line x2={x1 - x0} className="grid" />
          <text x={-8} dy="0.32em" textAnchor="end">
            {fmt(t)}
          </text>
        </g>
      ))}
      <text x={(x0 + x1) / 2} y={y0 + 32} textAnchor="middle" className="label">
        {xLabel}
      </text>
      <text transform={`translate(${x0 - 34},${(y0 + y1) / 2}) rotate(-90)`} textAnchor="middle" className="label">
        {yLabel}
      </text>
    </g>
  );
}
