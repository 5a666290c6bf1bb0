import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { usePauseWhileHidden } from '../usePauseWhileHidden';
import { useSaveOnLeave } from '../useSaveOnLeave';
import { parseRlUrl, serialiseRlUrl, type RlPanel } from './rlUrl';
import type { TaskFamily } from '../../maml/rl/env';
import { NAVIGATION } from '../../maml/rl/navigation';
import { VELOCITY } from '../../maml/rl/velocity';
import type { MethodAdaptation } from '../../worker/rlProtocol';
import { METHOD_STYLE } from './methods';
import { PlaneView } from './PlaneView';
import { ModelFiles, saveModelFiles } from '../share/ModelFiles';
import type { RlTourStep } from './rlTourSteps';
import { RL_LESSONS, type RlLesson } from '../../maml/rl/lessons';

const RlTour = lazy(() => import('./RlTour'));
import { ReturnBars } from './ReturnBars';
import { RlCurve } from './RlCurve';
import { useRl } from './useRl';
import { VelocityChart } from './VelocityChart';

const FIRST_GOAL: Record<TaskFamily, [number, number]> = { navigation: [0.3, -0.25], velocity: [-0.45, 0.3] };
/** Milliseconds for a rollout to be drawn from start to end. */
const ANIMATION_MS = 2000;

/** The animation clock: the number of steps drawn, from 0 to `steps` over ANIMATION_MS after each new adaptation. */
function useAnimatedSteps(key: unknown, steps: number): number {
  const [upto, setUpto] = useState(steps);
  const frame = useRef(0);
  useEffect(() => {
    if (key === undefined) return;
    const t0 = performance.now();
    const tick = () => {
      const f = Math.min(1, (performance.now() - t0) / ANIMATION_MS);
      setUpto(Math.round(f * steps));
      if (f < 1) frame.current = requestAnimationFrame(tick);
    };
    frame.current = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame.current);
  }, [key, steps]);
  return upto;
}

function describe(m: MethodAdaptation): string {
  return `${METHOD_STYLE[m.method].label}: ${m.before.length} rollouts before adaptation (faint) and ${m.after.length} after one gradient step (bold); average return ${m.returnBefore.toFixed(1)} before, ${m.returnAfter.toFixed(1)} after.`;
}

const URL_STATE = parseRlUrl(location.search);
const EMBED = new URLSearchParams(location.search).get('embed') === '1';
/** Parts hidden by the link (r.hide); embedded in a lesson page (embed=1), the introduction goes too. */
const shown = (p: RlPanel) => !URL_STATE.state.hide?.includes(p) && !(p === 'intro' && EMBED);

/** The RL lab; `active` is false while another tab is open (training pauses, the state stays). */
export function RlLab({ active = true }: { active?: boolean }) {
  const { state, send, adapt, dismiss, setFiles } = useRl();
  usePauseWhileHidden(
    active,
    state.running,
    useCallback(() => send({ type: 'pause' }), [send]),
  );
  useSaveOnLeave(useCallback(() => send({ type: 'persist' }), [send]));
  const [family, setFamily] = useState<TaskFamily>(URL_STATE.state.family);
  /** Policy-gradient steps each policy takes toward the goal (the meta-policy was trained for one). */
  const [steps, setSteps] = useState(1);
  const [goal, setGoal] = useState<Record<TaskFamily, [number, number]>>(() =>
    URL_STATE.state.goal ? { ...FIRST_GOAL, [URL_STATE.state.family]: URL_STATE.state.goal } : FIRST_GOAL,
  );
  // The family and its goal live in the URL (r.task, r.goal), so a link opens the same task.
  useEffect(() => {
    const search = serialiseRlUrl(
      { family, goal: goal[family] === FIRST_GOAL[family] ? undefined : goal[family], hide: URL_STATE.state.hide },
      location.search,
    );
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }, [family, goal]);
  const view = state.adaptation?.family === family ? state.adaptation : undefined;
  const horizon = family === 'navigation' ? NAVIGATION.horizon : VELOCITY.horizon;
  const upto = useAnimatedSteps(view?.serial, horizon);
  const fam = state.families[family];

  // The first goal of each family, once the worker is up.
  useEffect(() => {
    if (state.phase === 'ready') adapt(family, goal[family], steps);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.phase, family]);

  // An imported meta-policy is shown at once, on the goal on show.
  const importedNote = fam?.importedFrom;
  useEffect(() => {
    if (importedNote) adapt(family, goal[family], steps);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [importedNote]);
  // Exported files are offered for download once.
  useEffect(() => {
    if (state.exported) setFiles(saveModelFiles(state.exported.files, state.exported.note));
  }, [state.exported, setFiles]);

  const pick = (g: [number, number]) => {
    setGoal((x) => ({ ...x, [family]: g }));
    adapt(family, g, steps);
  };
  // A lesson sets the family, the goal and the steps, and says what to look at.
  const [lesson, setLesson] = useState<RlLesson | null>(null);
  const applyLesson = (id: string) => {
    const l = RL_LESSONS.find((x) => x.id === id);
    if (!l) return;
    setLesson(l);
    showTask(l.family, l.goal, l.steps);
  };
  /** Shows a family (pausing training when it changes) and, when given, a goal adapted to with `k` steps. */
  const showTask = (f: TaskFamily, g?: [number, number], k = steps) => {
    if (f !== family) chooseFamily(f);
    setSteps(k);
    if (g && (goal[f][0] !== g[0] || goal[f][1] !== g[1] || k !== steps)) {
      setGoal((x) => ({ ...x, [f]: g }));
      adapt(f, g, k);
    }
  };
  // The guided tour: the step shown, or null. A step sets the family and the goal it talks about.
  const [tourIndex, setTourIndex] = useState<number | null>(null);
  const tourEnter = (step: RlTourStep) => showTask(step.setup.family ?? family, step.setup.goal);
  const chooseFamily = (f: TaskFamily) => {
    if (state.running) send({ type: 'pause' });
    setFamily(f);
  };
  const methods = view?.methods ?? [];
  const g = goal[family];
  return (
    <div className="app rl-lab">
      {shown('intro') && (
        <header>
          <h1>
            MAML for reinforcement learning <span className="muted">a policy that adapts to a new goal in one gradient step</span>
          </h1>
          <p className="lede">
            A Gaussian policy (two hidden layers of 100 ReLU units, learned standard deviation) was meta-trained so that one policy-gradient
            step from {view?.trajectories ?? 20} trajectories (step size α = {view?.alpha ?? 0.1}) adapts it to a new task.
            {family === 'navigation'
              ? ' Click anywhere on a plane to put the goal there: each policy samples rollouts toward it, takes one step, and samples again.'
              : ' Click the goal-velocity pad to set a direction and speed: the body has momentum and friction, and each policy adapts to the new goal velocity.'}
          </p>
        </header>
      )}
      {shown('status') && (
        <div className="status" role="status" aria-live="polite">
          <span data-testid="rl-backend">
            Backend: <b>{state.backend || '…'}</b> <span className="muted">{state.backendNote}</span>
          </span>
          {fam && (
            <span data-testid="rl-iteration">
              MAML policy: <b>{fam.iteration}</b> meta-iterations
              {fam.importedFrom
                ? ` (${fam.importedFrom})`
                : fam.iteration > fam.shippedIteration
                  ? ` (shipped ${fam.shippedIteration}, continued here)`
                  : ' (shipped)'}
              {fam.restoredFrom && `, restored from this browser (saved ${new Date(fam.restoredFrom).toLocaleTimeString()})`}; pretrained:{' '}
              {fam.pretrainedIteration} iterations
            </span>
          )}
          {state.storage && (
            <span className="muted" data-testid="rl-storage">
              {state.storage}
            </span>
          )}
          {state.status && (
            <span>
              <span className="spinner" aria-hidden="true" />
              {state.status}
            </span>
          )}
          {state.pending !== null && (
            <span data-testid="rl-adapting">
              <span className="spinner" aria-hidden="true" />
              Adapting to the new goal…
            </span>
          )}
        </div>
      )}
      {state.error && (
        <div className="alert error" role="alert">
          {state.error} <button onClick={dismiss}>Dismiss</button>{' '}
          {!fam && (
            <button data-testid="rl-retry" onClick={() => (dismiss(), adapt(family, goal[family], steps))}>
              Retry
            </button>
          )}
        </div>
      )}
      {URL_STATE.problems.length > 0 && (
        <p className="notice" role="status" data-testid="rl-link-note">
          Ignored in the link: {URL_STATE.problems.join('; ')}
        </p>
      )}
      <div className="toolbar">
        <fieldset className="family-switch">
          <legend>Task family</legend>
          {(['navigation', 'velocity'] as const).map((f) => (
            <label key={f}>
              <input
                type="radio"
                name="family"
                value={f}
                checked={family === f}
                onChange={() => chooseFamily(f)}
                data-testid={`family-${f}`}
              />
              {f === 'navigation' ? '2-D navigation (goal position)' : 'Point mass (goal velocity)'}
            </label>
          ))}
        </fieldset>
        {shown('training') && (
          <button
            className="primary"
            data-testid="rl-train"
            disabled={!fam}
            onClick={() => send(state.running ? { type: 'pause' } : { type: 'train', family })}
            aria-label={state.running ? 'Pause meta-training' : 'Continue meta-training from the shipped policy'}
          >
            {state.running ? 'Pause' : 'Train'}
          </button>
        )}
        {shown('training') && fam && (fam.iteration > fam.shippedIteration || fam.importedFrom) && !state.running && (
          <button
            data-testid="rl-reset"
            onClick={() =>
              confirm('Go back to the shipped policy? The training continued here is discarded.') && send({ type: 'reset', family })
            }
          >
            Back to the shipped policy
          </button>
        )}
        {state.running && <span className="muted">{state.secondsPerIteration.toFixed(1)} s per meta-iteration (4 goals each)</span>}
        {shown('training') && (
          <ModelFiles
            lab="rl"
            ready={!!fam && !state.running}
            safetensors={false}
            onExport={() => send({ type: 'exportModel', family })}
            onImport={(upload) => send({ type: 'importModel', upload })}
            message={state.files ?? null}
            setMessage={setFiles}
          />
        )}
        <label className="inline-field">
          steps{' '}
          <select
            value={steps}
            data-testid="rl-steps"
            aria-label="Policy-gradient steps toward the goal"
            onChange={(e) => {
              const k = Number(e.target.value);
              setSteps(k);
              adapt(family, goal[family], k);
            }}
          >
            {[1, 2, 3].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <select
          value={lesson?.id ?? ''}
          onChange={(e) => applyLesson(e.target.value)}
          data-testid="rl-lesson"
          aria-label="Lesson: sets the task, the goal and the steps"
        >
          <option value="" disabled>
            Lesson…
          </option>
          {RL_LESSONS.map((l) => (
            <option key={l.id} value={l.id}>
              {l.title}
            </option>
          ))}
        </select>
        <button data-testid="rl-tour-start" onClick={() => setTourIndex(0)}>
          Take the tour
        </button>
        <span className="muted" data-testid="rl-goal">
          {family === 'navigation' ? 'Goal position' : 'Goal velocity'} ({g[0].toFixed(2)}, {g[1].toFixed(2)})
          {family === 'velocity' && `, speed ${Math.hypot(g[0], g[1]).toFixed(2)}`}
        </span>
      </div>
      {lesson && (
        <p className="notice" role="status" data-testid="rl-lesson-note">
          <b>{lesson.title}.</b> {lesson.says}{' '}
          <button type="button" className="link" onClick={() => setLesson(null)}>
            Close
          </button>
        </p>
      )}
      {family === 'velocity' && (
        <div className="pair velocity-goal">
          <PlaneView
            title="Goal velocity (click to set)"
            extent={1}
            before={[]}
            after={methods.find((m) => m.method === 'maml')?.velocityAfter?.slice(0, 1) ?? []}
            upto={upto}
            goal={null}
            arrow={g}
            color={METHOD_STYLE.maml.color}
            onPick={pick}
            label={`Goal velocity pad: the goal velocity is (${g[0].toFixed(2)}, ${g[1].toFixed(2)}); the MAML policy's velocity after adaptation is traced in blue.`}
            testId="velocity-pad"
            xLabel="vx"
            yLabel="vy"
          />
        </div>
      )}
      <div className="triple" data-panel="planes">
        {(['maml', 'pretrained', 'random'] as const).filter(shown).map((method) => {
          const m = methods.find((x) => x.method === method);
          return (
            <div key={method}>
              <PlaneView
                title={family === 'navigation' ? METHOD_STYLE[method].label : `${METHOD_STYLE[method].label}: the body's path`}
                extent={family === 'navigation' ? 0.6 : 1.5}
                before={m?.before ?? []}
                after={m?.after ?? []}
                upto={upto}
                goal={family === 'navigation' ? g : null}
                color={METHOD_STYLE[method].color}
                onPick={family === 'navigation' ? pick : undefined}
                label={m ? describe(m) : 'Waiting for the rollouts.'}
                testId={`plane-${method}`}
                xLabel="x"
                yLabel="y"
                showBody={family === 'velocity'}
              />
              {family === 'velocity' && m?.velocityBefore && m.velocityAfter && (
                <VelocityChart
                  title={METHOD_STYLE[method].short}
                  before={m.velocityBefore}
                  after={m.velocityAfter}
                  goal={g}
                  upto={upto}
                  color={METHOD_STYLE[method].color}
                  testId={`velocity-${method}`}
                />
              )}
            </div>
          );
        })}
      </div>
      <div className="pair">
        {shown('bars') && methods.length > 0 && (
          <div data-panel="bars">
            <ReturnBars methods={methods} steps={view?.steps ?? 1} />
          </div>
        )}
        {shown('curve') && fam && <RlCurve points={fam.curves} shippedUpTo={fam.shippedIteration} />}
      </div>
      {view && (
        <p className="muted small" data-testid="rl-summary">
          Goal ({view.goal[0].toFixed(2)}, {view.goal[1].toFixed(2)}):{' '}
          {methods
            .map((m) => `${METHOD_STYLE[m.method].short} ${[m.returnBefore, ...m.returnAfterEach].map((r) => r.toFixed(1)).join(' → ')}`)
            .join(' · ')}
          {view.steps > 1 ? ` (before, then after each of ${view.steps} steps)` : ''}. Returns are means over {view.trajectories} rollouts;{' '}
          {view.seconds.toFixed(1)} s in the worker.
        </p>
      )}
      {tourIndex !== null && !EMBED && (
        <Suspense fallback={null}>
          <RlTour index={tourIndex} onIndex={setTourIndex} onClose={() => setTourIndex(null)} onEnter={tourEnter} />
        </Suspense>
      )}
    </div>
  );
}
