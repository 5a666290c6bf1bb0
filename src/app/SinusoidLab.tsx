import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ALGORITHM_LABELS } from '../maml/algorithm/algorithm';
import type { SinusoidConfig } from '../maml/sinusoid/config';
import { namedTask } from '../maml/sinusoid/tasks';
import {
  BACKENDS,
  type BackendChoice,
  type DistancePoint,
  type EngineChoice,
  type MethodSpec,
  type TaskView,
  type TrajectoryTask,
} from '../worker/protocol';
import { AdaptationPlot } from './AdaptationPlot';
import { CompareCurves, CompareMultiples } from './compare/CompareView';
import { Controls } from './Controls';
import { LessonBar } from './LessonBar';
import { Panel } from './Panel';
import type { Preset } from '../maml/sinusoid/presets';
import { download, readCheckpointFiles } from './share/checkpointFiles';
import { curvesCsv } from './share/curvesCsv';
import { StatusLine } from './StatusLine';
import { StepInspector } from './StepInspector';
import type { TourStep } from './tour/steps';
import { DistanceCurve, TrajectoryPlot, sameTask, taskColor } from './TrajectoryPlot';
import { TrainingCurves } from './TrainingCurves';
import { parseLabState, serialiseLabState, type TaskRef } from './urlState';
import { useTrainer } from './useTrainer';
import { usePauseWhileHidden } from './usePauseWhileHidden';
import { useSaveOnLeave } from './useSaveOnLeave';
import { visiblePoints } from './series';
import { queryText } from '../maml/settings/table';

const Tour = lazy(() => import('./tour/SinusoidTour'));

/**
 * Training saved in this browser continues on a reload (or back/forward), and when the lab is
 * opened without settings in its address; a link with settings shows the run it describes.
 */
function continuesSavedTraining(): boolean {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (nav && nav.type !== 'navigate') return true;
  const q = new URLSearchParams(location.search);
  q.delete('experiment');
  return q.size === 0;
}

/** The task a reference names: the n-th task of the trajectory picture, or the n-th sampled view task. */
const taskFor = (c: SinusoidConfig, ref: TaskRef): TaskView => namedTask(c.seed, ref.kind, ref.index, c.shots);

function readUrl(): { backend: BackendChoice; engine: EngineChoice; autoplay: boolean; tour: boolean } {
  const q = new URLSearchParams(location.search);
  const b = q.get('backend');
  const e = q.get('engine');
  return {
    backend: b && (BACKENDS as readonly string[]).includes(b) ? (b as BackendChoice) : 'auto',
    engine: e === 'tfjs' || e === 'fused' ? e : 'auto',
    autoplay: q.get('autoplay') !== '0',
    tour: q.get('tour') === '1',
  };
}

const NO_POINTS: DistancePoint[] = [];
const CHECKPOINT = `${import.meta.env.BASE_URL}models/sinusoid/`;

/** The sinusoid lab; `active` is false while another tab is open (training pauses, the state stays). */
export function SinusoidLab({ active = true }: { active?: boolean }) {
  const [url] = useState(readUrl);
  const [initial] = useState(() => parseLabState(location.search));
  const [config, setConfig] = useState<SinusoidConfig>(initial.state.config);
  const [taskRef, setTaskRef] = useState<TaskRef>(initial.state.task);
  const [task, setTask] = useState<TaskView>(() => taskFor(initial.state.config, initial.state.task));
  const [compare, setCompare] = useState<MethodSpec[]>(initial.state.compare);
  const [hide, setHide] = useState<string[]>(initial.state.hide);
  const embed = initial.state.embed;
  const [loading, setLoading] = useState<string | null>(null);
  const [presetNote, setPresetNote] = useState<string | null>(null);
  const [fileMessage, setFileMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [tourIndex, setTourIndex] = useState<number | null>(url.tour ? 0 : null);
  const { state, send, dismiss } = useTrainer({
    config,
    backend: url.backend,
    engine: url.engine,
    task,
    autoplay: url.autoplay,
    compare,
    restore: continuesSavedTraining(),
  });
  usePauseWhileHidden(
    active,
    state.running,
    useCallback(() => send({ type: 'pause' }), [send]),
  );
  useSaveOnLeave(useCallback(() => send({ type: 'persist' }), [send]));

  // Every change is written to the URL at once (replaceState: no history entry per keystroke).
  const labState = useMemo(() => ({ ...initial.state, config, task: taskRef, compare, hide }), [initial, config, taskRef, compare, hide]);
  useEffect(() => {
    history.replaceState(null, '', `${location.pathname}${serialiseLabState(labState, location.search)}${location.hash}`);
  }, [labState]);

  const changeTask = useCallback(
    (t: TaskView) => {
      setTask(t);
      send({ type: 'setTask', task: t });
    },
    [send],
  );

  const selectTaskRef = useCallback(
    (ref: TaskRef, c: SinusoidConfig = config) => {
      setTaskRef(ref);
      changeTask(taskFor(c, ref));
    },
    [changeTask, config],
  );

  const trajectoryTasks = state.trajectory?.tasks;
  const selectTrajectoryTask = useCallback(
    (t: TrajectoryTask) => {
      const i = trajectoryTasks?.findIndex((x) => sameTask(x, t)) ?? -1;
      if (i >= 0) setTaskRef({ kind: 'trajectory', index: i });
      changeTask({ amplitude: t.amplitude, phase: t.phase, supportX: t.supportX, supportY: t.supportY });
    },
    [changeTask, trajectoryTasks],
  );

  const newTask = () => selectTaskRef({ kind: 'view', index: (taskRef.kind === 'view' ? taskRef.index : 0) + 1 });

  const changeConfig = (next: SinusoidConfig) => {
    setConfig(next);
    send({ type: 'setConfig', config: next });
    if (next.shots !== config.shots || next.seed !== config.seed) changeTask(taskFor(next, taskRef));
  };

  const changeCompare = (next: MethodSpec[]) => {
    setCompare(next);
    send({ type: 'setCompare', compare: next, config });
  };

  const applyPreset = (p: Preset) => {
    const c = { ...p.config };
    const methods = p.compare ? [...p.compare] : [];
    setConfig(c);
    setCompare(methods);
    send({ type: 'setCompare', compare: methods, config: c });
    selectTaskRef(taskRef, c);
    send({ type: 'play' });
    setPresetNote(`${p.label}: ${p.note}`);
  };

  // A loaded checkpoint brings its own settings.
  useEffect(() => {
    if (!state.loaded) return;
    setConfig(state.loaded.config);
    if (state.loaded.origin === 'imported')
      setFileMessage({ kind: 'ok', text: `Imported the checkpoint (${state.loaded.iteration} iterations).` });
  }, [state.loaded]);

  useEffect(() => {
    if (state.importRejected) setFileMessage({ kind: 'error', text: `Import refused, nothing changed. ${state.importRejected.message}` });
  }, [state.importRejected]);

  // An exported checkpoint is saved as its two files.
  useEffect(() => {
    const e = state.exported;
    if (!e) return;
    const name = `maml-sinusoid-${e.iteration}`;
    download(`${name}.json`, new Blob([JSON.stringify(e.manifest, null, 1)], { type: 'application/json' }));
    download(`${name}.weights.bin`, new Blob([e.weights], { type: 'application/octet-stream' }));
    setFileMessage({ kind: 'ok', text: `Exported ${name}.json and ${name}.weights.bin (tfjs weight format).` });
  }, [state.exported]);

  const loadCheckpoint = useCallback(async () => {
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
  }, [send]);

  const importFiles = async (files: FileList | null) => {
    if (!files?.length) return;
    const read = await readCheckpointFiles([...files]);
    if ('error' in read) {
      setFileMessage({ kind: 'error', text: `Import refused, nothing changed. ${read.error}` });
      return;
    }
    setFileMessage(null);
    send({ type: 'importCheckpoint', manifest: read.manifest, weights: read.weights }, [read.weights]);
  };

  const saveCsv = () =>
    download('maml-sinusoid-curves.csv', new Blob([curvesCsv(visiblePoints(state.curves), compare)], { type: 'text/csv' }));

  const tourEnter = useCallback(
    (step: TourStep) => {
      const s = step.setup;
      setHide((h) => h.filter((id) => id !== step.panel && !(step.panel === 'adaptation' && id === 'baseline')));
      if (s.checkpoint) void loadCheckpoint();
      if (s.task) selectTaskRef(s.task);
      if (s.running !== undefined) send({ type: s.running ? 'play' : 'pause' });
    },
    [loadCheckpoint, selectTaskRef, send],
  );

  /** The link to this state; a run on the fused kernel pins it (?engine=fused), so the numbers match to the last digit. */
  const link = () => {
    const q = new URLSearchParams(serialiseLabState(labState, location.search));
    if (state.backend?.engine === 'fused' && !q.has('engine')) q.set('engine', 'fused');
    const s = queryText(q);
    return `${location.origin}${location.pathname}${s ? `?${s}` : ''}`;
  };

  /** From an embedded view: the same state in the full page. */
  const fullLabLink = () => {
    const q = new URLSearchParams(serialiseLabState(labState, location.search));
    q.delete('embed');
    const s = queryText(q);
    return `${location.pathname}${s ? `?${s}` : ''}`;
  };

  const ready = state.phase === 'ready';
  const a = state.adaptation;
  const learnerLabel = ALGORITHM_LABELS[config.algorithm];
  const trajIndex = state.trajectory?.tasks.findIndex((t) => sameTask(t, task)) ?? -1;
  const accent = trajIndex >= 0 ? taskColor(trajIndex) : undefined;
  const hidden = (id: string) => hide.includes(id);
  const points = visiblePoints(state.curves);
  return (
    <div className={`app${embed ? ' embed' : ''}`}>
      {!embed && (
        <header>
          <h1>
            MAML Lab <span className="muted">learning to learn, live in your browser</span>
          </h1>
          <p className="lede">
            Model-agnostic meta-learning (Finn, Abbeel &amp; Levine, ICML 2017) meta-trains a network on many sine waves so that{' '}
            <em>one</em> gradient step on <em>K</em> points of a new sine fits it. It runs here, in a Web Worker on TensorFlow.js, on your
            machine.
          </p>
        </header>
      )}
      {embed && (
        <p className="embed-bar small">
          <a href={fullLabLink()} target="_blank" rel="noopener" data-testid="open-full">
            Open in MAML Lab ↗
          </a>
        </p>
      )}
      {initial.problems.length > 0 && (
        <p className="notice" role="status" data-testid="url-problems">
          Some settings in the link were not used: {initial.problems.join('; ')}.
        </p>
      )}
      {!embed && (
        <LessonBar
          compare={compare}
          onCompare={changeCompare}
          onPreset={applyPreset}
          onTour={() => setTourIndex(0)}
          hide={hide}
          onHide={setHide}
          link={link}
        />
      )}
      {presetNote && (
        <p className="notice" role="status" data-testid="preset-note">
          {presetNote}{' '}
          <button type="button" className="link" onClick={() => setPresetNote(null)}>
            Hide
          </button>
        </p>
      )}
      <Panel id="status" hidden={hidden('status')}>
        <StatusLine state={state} />
      </Panel>
      <Panel id="toolbar" hidden={hidden('toolbar')}>
        <div className="toolbar" role="toolbar" aria-label="Training">
          <button className="primary" disabled={!ready} data-testid="play" onClick={() => send({ type: state.running ? 'pause' : 'play' })}>
            {state.running ? '❚❚ Pause' : '▶ Play'}
          </button>
          <button disabled={!ready || state.running} data-testid="step" onClick={() => send({ type: 'step' })}>
            Step
          </button>
          <button disabled={!ready} data-testid="reset" onClick={() => send({ type: 'reset', config })}>
            Reset
          </button>
          <button disabled={!ready} data-testid="new-task" onClick={newTask}>
            New task
          </button>
          <button disabled={!ready} onClick={() => changeTask({ ...task, supportX: [], supportY: [] })}>
            Clear points
          </button>
          <button disabled={!ready} data-testid="load-checkpoint" onClick={loadCheckpoint}>
            Load meta-trained model
          </button>
          {loading && (
            <span className="muted" role="status">
              {loading}
            </span>
          )}
        </div>
        <div className="toolbar files" role="group" aria-label="Files">
          <button disabled={!ready} data-testid="export-checkpoint" onClick={() => send({ type: 'exportCheckpoint' })}>
            Export model
          </button>
          <label className={`file-button${ready ? '' : ' disabled'}`}>
            Import model…
            <input
              type="file"
              multiple
              accept=".json,.bin,application/json,application/octet-stream"
              disabled={!ready}
              data-testid="import-checkpoint"
              onChange={(e) => {
                void importFiles(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
          <button data-testid="export-csv" onClick={saveCsv}>
            Curves as CSV
          </button>
          {fileMessage && (
            <span
              className={fileMessage.kind === 'error' ? 'error-text' : 'muted'}
              role={fileMessage.kind === 'error' ? 'alert' : 'status'}
              data-testid="file-message"
            >
              {fileMessage.text}
            </span>
          )}
        </div>
      </Panel>
      {state.alert && (
        <div className={`alert ${state.alert.kind}`} role="alert" data-testid="alert">
          <span>{state.alert.message}</span>
          <button onClick={() => send({ type: 'reset', config })}>Reset</button>
          <button onClick={dismiss}>Dismiss</button>
        </div>
      )}
      <main className={hidden('controls') ? 'no-controls' : undefined}>
        <Panel id="controls" hidden={hidden('controls')}>
          <Controls config={config} onChange={changeConfig} hidden={hide} />
        </Panel>
        <div className="panels">
          {compare.length >= 2 && (
            <Panel id="compare" hidden={false} exportName="comparison">
              <section className="compare" aria-label="Comparison" data-testid="compare">
                <CompareCurves points={points} methods={compare} config={config} />
                <CompareMultiples methods={compare} config={config} adaptation={a} task={task} editable={ready} onTaskChange={changeTask} />
              </section>
            </Panel>
          )}
          {!(hidden('adaptation') && hidden('baseline')) && (
            <Panel id="adaptation" hidden={false} exportName="adaptation">
              <p className="hint muted">
                Click a plot to add a support point of your own; drag a point to move it. The model adapts at once with α = {config.alpha}{' '}
                for {config.testSteps} steps.
              </p>
              <div
                className="pair"
                style={accent ? { outline: `3px solid ${accent}`, outlineOffset: 3, borderRadius: 6 } : undefined}
                data-testid="adapt-pair"
                data-task-color={accent ?? ''}
              >
                {!hidden('adaptation') && (
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
                )}
                {!hidden('baseline') && (
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
                )}
              </div>
            </Panel>
          )}
          {!(hidden('trajectory') && hidden('distance')) && (
            <div className="pair">
              <Panel id="trajectory" hidden={hidden('trajectory')} exportName="trajectory">
                <TrajectoryPlot trajectory={state.trajectory} selected={task} onSelect={selectTrajectoryTask} />
              </Panel>
              <Panel id="distance" hidden={hidden('distance')} exportName="distance">
                <DistanceCurve points={state.trajectory?.distance ?? NO_POINTS} />
              </Panel>
            </div>
          )}
          <Panel id="curves" hidden={hidden('curves')} exportName="training-curves">
            <TrainingCurves points={points} trainSteps={config.trainSteps} />
          </Panel>
          <Panel id="inspector" hidden={hidden('inspector')} exportName="step-inspector">
            <StepInspector adaptation={a} learnerLabel={learnerLabel} />
          </Panel>
        </div>
      </main>
      {!embed && (
        <footer className="muted">
          Sinusoid tasks as in the paper: amplitude in [0.1, 5], phase in [0, π], x in [−5, 5]; network 1-{config.hidden.join('-')}-1 ReLU.
          The pretrained baseline is one network fitted to all tasks pooled, fine-tuned with the same inner steps. {state.tensors} tensors
          live in the worker.
        </footer>
      )}
      {tourIndex !== null && !embed && (
        <Suspense fallback={null}>
          <Tour index={tourIndex} onIndex={setTourIndex} onClose={() => setTourIndex(null)} onEnter={tourEnter} />
        </Suspense>
      )}
    </div>
  );
}
