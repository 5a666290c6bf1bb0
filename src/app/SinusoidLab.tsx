import { useCallback, useEffect, useState } from 'react';
import { ALGORITHM_LABELS } from '../maml/algorithms/algorithm';
import { PAPER_SINUSOID_CONFIG, type SinusoidConfig } from '../maml/experiments/sinusoidConfig';
import { namedTask } from '../maml/tasks/sinusoid';
import { BACKENDS, type BackendChoice, type DistancePoint, type EngineChoice, type TaskView, type TrajectoryTask } from '../worker/protocol';
import { AdaptationPlot } from './AdaptationPlot';
import { Controls } from './Controls';
import { StatusLine } from './StatusLine';
import { StepInspector } from './StepInspector';
import { DistanceCurve, TrajectoryPlot, sameTask, taskColor } from './TrajectoryPlot';
import { TrainingCurves } from './TrainingCurves';
import { useTrainer } from './useTrainer';
import { visiblePoints } from './series';

/** Task 0 is the first trajectory task (so the page opens on a task the trajectory shows); later ones are fresh. */
const sampleTask = (seed: number, n: number, shots: number): TaskView =>
  n === 0 ? namedTask(seed, 'trajectory', 0, shots) : namedTask(seed, 'view', n, shots);

function readUrl(): { backend: BackendChoice; engine: EngineChoice; autoplay: boolean } {
  const q = new URLSearchParams(location.search);
  const b = q.get('backend');
  const e = q.get('engine');
  return {
    backend: b && (BACKENDS as readonly string[]).includes(b) ? (b as BackendChoice) : 'auto',
    engine: e === 'tfjs' || e === 'fused' ? e : 'auto',
    autoplay: q.get('autoplay') !== '0',
  };
}

const NO_POINTS: DistancePoint[] = [];
const CHECKPOINT = `${import.meta.env.BASE_URL}models/sinusoid/`;

export function SinusoidLab() {
  const [url] = useState(readUrl);
  const [config, setConfig] = useState<SinusoidConfig>(PAPER_SINUSOID_CONFIG);
  const [taskSerial, setTaskSerial] = useState(0);
  const [task, setTask] = useState<TaskView>(() => sampleTask(PAPER_SINUSOID_CONFIG.seed, 0, PAPER_SINUSOID_CONFIG.shots));
  const [loading, setLoading] = useState<string | null>(null);
  const { state, send, dismiss } = useTrainer({ config, backend: url.backend, engine: url.engine, task, autoplay: url.autoplay });

  const changeTask = useCallback((t: TaskView) => {
    setTask(t);
    send({ type: 'setTask', task: t });
  }, [send]);

  const selectTrajectoryTask = useCallback(
    (t: TrajectoryTask) => changeTask({ amplitude: t.amplitude, phase: t.phase, supportX: t.supportX, supportY: t.supportY }),
    [changeTask],
  );

  const newTask = () => {
    const n = taskSerial + 1;
    setTaskSerial(n);
    changeTask(sampleTask(config.seed, n, config.shots));
  };

  const changeConfig = (next: SinusoidConfig) => {
    setConfig(next);
    send({ type: 'setConfig', config: next });
    if (next.shots !== config.shots || next.seed !== config.seed) changeTask(sampleTask(next.seed, taskSerial, next.shots));
  };

  // A loaded checkpoint brings its own settings.
  useEffect(() => {
    if (state.loaded) setConfig(state.loaded.config);
  }, [state.loaded]);

  const loadCheckpoint = async () => {
    setLoading('Loading the meta-trained model…');
    try {
      const manifestRes = await fetch(`${CHECKPOINT}manifest.json`);
      if (!manifestRes.ok) throw new Error(`manifest: HTTP ${manifestRes.status}`);
      const manifest = await manifestRes.json();
      const weightsRes = await fetch(`${CHECKPOINT}${manifest.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin'}`);
      if (!weightsRes.ok) throw new Error(`weights: HTTP ${weightsRes.status}`);
      const weights = await weightsRes.arrayBuffer();
      send({ type: 'loadCheckpoint', manifest, weights }, [weights]);
      setLoading(null);
    } catch (e) {
      setLoading(`Could not load the meta-trained model: ${(e as Error).message}`);
    }
  };

  const ready = state.phase === 'ready';
  const a = state.adaptation;
  const learnerLabel = ALGORITHM_LABELS[config.algorithm];
  const trajIndex = state.trajectory?.tasks.findIndex((t) => sameTask(t, task)) ?? -1;
  const accent = trajIndex >= 0 ? taskColor(trajIndex) : undefined;
  return (
    <div className="app">
      <header>
        <h1>MAML Lab <span className="muted">learning to learn, live in your browser</span></h1>
        <p className="lede">
          Model-agnostic meta-learning (Finn, Abbeel &amp; Levine, ICML 2017) meta-trains a network on many sine waves so
          that <em>one</em> gradient step on <em>K</em> points of a new sine fits it. It runs here, in a Web Worker on
          TensorFlow.js, on your machine.
        </p>
      </header>
      <StatusLine state={state} />
      <div className="toolbar" role="toolbar" aria-label="Training">
        <button className="primary" disabled={!ready} data-testid="play" onClick={() => send({ type: state.running ? 'pause' : 'play' })}>
          {state.running ? '❚❚ Pause' : '▶ Play'}
        </button>
        <button disabled={!ready || state.running} data-testid="step" onClick={() => send({ type: 'step' })}>Step</button>
        <button disabled={!ready} data-testid="reset" onClick={() => send({ type: 'reset', config })}>Reset</button>
        <button disabled={!ready} data-testid="new-task" onClick={newTask}>New task</button>
        <button disabled={!ready} onClick={() => changeTask({ ...task, supportX: [], supportY: [] })}>Clear points</button>
        <button disabled={!ready} data-testid="load-checkpoint" onClick={loadCheckpoint}>Load meta-trained model</button>
        {loading && <span className="muted" role="status">{loading}</span>}
      </div>
      {state.alert && (
        <div className={`alert ${state.alert.kind}`} role="alert" data-testid="alert">
          <span>{state.alert.message}</span>
          <button onClick={() => send({ type: 'reset', config })}>Reset</button>
          <button onClick={dismiss}>Dismiss</button>
        </div>
      )}
      <main>
        <Controls config={config} onChange={changeConfig} />
        <div className="panels">
          <p className="hint muted">
            Click a plot to add a support point of your own; drag a point to move it. The model adapts at once with
            α = {config.alpha} for {config.testSteps} steps.
          </p>
          <div className="pair" style={accent ? { outline: `3px solid ${accent}`, outlineOffset: 3, borderRadius: 6 } : undefined} data-testid="adapt-pair" data-task-color={accent ?? ''}>
            <AdaptationPlot
              title={learnerLabel}
              testid="adapt-learner"
              task={task}
              grid={a?.grid}
              curves={a?.models.learner.curves}
              supportLoss={a?.models.learner.supportLoss}
              steps={a?.steps ?? config.testSteps}
              editable={ready}
              onTaskChange={changeTask}
            />
            <AdaptationPlot
              title="Pretrained baseline"
              testid="adapt-baseline"
              task={task}
              grid={a?.grid}
              curves={a?.models.baseline.curves}
              supportLoss={a?.models.baseline.supportLoss}
              steps={a?.steps ?? config.testSteps}
              editable={ready}
              onTaskChange={changeTask}
            />
          </div>
          <div className="pair">
            <TrajectoryPlot
              trajectory={state.trajectory}
              selected={task}
              onSelect={selectTrajectoryTask}
            />
            <DistanceCurve points={state.trajectory?.distance ?? NO_POINTS} />
          </div>
          <TrainingCurves points={visiblePoints(state.curves)} trainSteps={config.trainSteps} />
          <StepInspector adaptation={a} learnerLabel={learnerLabel} />
        </div>
      </main>
      <footer className="muted">
        Sinusoid tasks as in the paper: amplitude in [0.1, 5], phase in [0, π], x in [−5, 5]; network 1-{config.hidden.join('-')}-1 ReLU.
        The pretrained baseline is one network fitted to all tasks pooled, fine-tuned with the same inner steps. {state.tensors} tensors
        live in the worker.
      </footer>
    </div>
  );
}
