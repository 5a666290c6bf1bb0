import { formatLoss } from '../maml/settings/numberText';
import * as d3 from 'd3';
import { memo, useEffect, useState } from 'react';
import { sinusoid } from '../maml/sinusoid/tasks';
import type { StartingPoint } from '../worker/protocol';
import { Axes, stepColor } from './AdaptationPlot';
import type { Adaptation } from './useTrainer';
import { plotLine } from './plotLine';

const STARTS: { key: StartingPoint; label: string; color: string }[] = [
  { key: 'learner', label: 'meta-learned init', color: '#0072b2' },
  { key: 'baseline', label: 'pretrained', color: '#d55e00' },
  { key: 'random', label: 'random init', color: '#7f7f7f' },
];

const fmt = formatLoss;

/**
 * One task's inner loop, step by step: a step slider (or play), the same task adapted from
 * three starting points side by side, and for each step the support and true-function
 * loss, every layer's gradient norm and the update size.
 */
export const StepInspector = memo(function StepInspector({ adaptation, learnerLabel }: { adaptation?: Adaptation; learnerLabel: string }) {
  const steps = adaptation?.steps ?? 0;
  const [step, setStep] = useState(1);
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => setStep((s) => (s >= steps ? 0 : s + 1)), 450);
    return () => clearInterval(id);
  }, [playing, steps]);
  const shown = Math.min(step, steps);
  if (!adaptation) return null;
  const learner = adaptation.models.learner;
  const layers = learner.layers;
  return (
    <section className="plot wide" data-testid="step-inspector" aria-label="Per-task gradient steps">
      <figcaption>
        <strong>Per-task gradient steps</strong>{' '}
        <span className="muted">the task in the panels above, adapted from three starting points</span>
      </figcaption>
      <div className="stepper">
        <button
          onClick={() => setPlaying((p) => !p)}
          data-testid="step-play"
          aria-label={playing ? 'Pause the step animation' : 'Play the inner steps'}
        >
          {playing ? '❚❚' : '▶'}
        </button>
        <label htmlFor="step-slider">inner step</label>
        <input
          id="step-slider"
          type="range"
          min={0}
          max={steps}
          value={shown}
          onChange={(e) => {
            setPlaying(false);
            setStep(Number(e.target.value));
          }}
          data-testid="step-slider"
        />
        <output data-testid="step-value">
          {shown} / {steps}
        </output>
      </div>
      <div className="multiples">
        {STARTS.map((s) => (
          <Mini
            key={s.key}
            adaptation={adaptation}
            start={s.key}
            label={s.key === 'learner' ? learnerLabel : s.label}
            color={s.color}
            step={shown}
          />
        ))}
      </div>
      <div className="table-wrap">
        <table data-testid="step-table">
          <caption className="muted">{learnerLabel}: each inner step on the support set</caption>
          <thead>
            <tr>
              <th>step</th>
              <th>support MSE</th>
              <th>true-function MSE</th>
              {d3.range(layers).map((l) => (
                <th key={l}>‖∇ layer {l + 1}‖</th>
              ))}
              <th>update size</th>
              {STARTS.slice(1).map((s) => (
                <th key={s.key}>{s.label}: true MSE</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d3.range(steps + 1).map((s) => (
              <tr key={s} className={s === shown ? 'current' : undefined} onClick={() => setStep(s)}>
                <td>{s}</td>
                <td>{fmt(learner.supportLoss[s])}</td>
                <td>{fmt(learner.queryLoss[s])}</td>
                {d3.range(layers).map((l) => (
                  <td key={l}>{s < steps ? fmt(learner.gradNorms[s * layers + l]) : '–'}</td>
                ))}
                <td>{s < steps ? fmt(learner.updateSize[s]) : '–'}</td>
                {STARTS.slice(1).map((st) => (
                  <td key={st.key}>{fmt(adaptation.models[st.key].queryLoss[s])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
});

function Mini({
  adaptation,
  start,
  label,
  color,
  step,
}: {
  adaptation: Adaptation;
  start: StartingPoint;
  label: string;
  color: string;
  step: number;
}) {
  const W = 300;
  const H = 190;
  const M = { top: 8, right: 8, bottom: 34, left: 44 };
  const x = d3
    .scaleLinear()
    .domain([-5, 5])
    .range([M.left, W - M.right]);
  const y = d3
    .scaleLinear()
    .domain([-6, 6])
    .range([H - M.bottom, M.top]);
  const { grid, steps, task } = adaptation;
  const m = adaptation.models[start];
  const G = grid.length;
  const line = plotLine<number>(
    (_, j) => x(grid[j]),
    (v) => y(Math.max(-8, Math.min(8, v))),
  );
  const at = (s: number) => line(Array.from(m.curves.subarray(s * G, (s + 1) * G))) ?? '';
  const truth = line(Array.from(grid, (g) => sinusoid(task, g))) ?? '';
  return (
    <figure className="mini" data-testid={`mini-${start}`}>
      <figcaption style={{ borderColor: color }}>
        {label}: true MSE <b>{fmt(m.queryLoss[step])}</b> at step {step}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${label}: prediction after ${step} of ${steps} inner steps; true-function MSE ${fmt(m.queryLoss[step])}`}
      >
        <Axes x={x} y={y} xLabel="x" yLabel="y" yTicks={[-5, 0, 5]} />
        <path d={truth} className="truth" />
        <path d={at(0)} fill="none" stroke={stepColor(0, steps)} strokeDasharray="5 3" strokeWidth={1.5} />
        <path d={at(step)} fill="none" stroke={stepColor(step, steps)} strokeWidth={2.4} data-testid={`mini-${start}-curve`} />
        {task.supportX.map((sx, i) => (
          <circle key={i} cx={x(sx)} cy={y(task.supportY[i])} r={3.5} className="support" />
        ))}
      </svg>
    </figure>
  );
}
