import { describe, expect, it } from 'vitest';
import { PAPER_SINUSOID_CONFIG } from '../maml/sinusoid/config';
import { DEFAULT_STATE, parseCompare, parseLabState, serialiseLabState, type LabState } from './urlState';

describe('URL state', () => {
  it('round-trips every control, the task, comparison and hidden panels', () => {
    const state: LabState = {
      ...DEFAULT_STATE,
      config: {
        algorithm: 'maml1',
        alpha: 0.02,
        trainSteps: 2,
        testSteps: 5,
        metaLr: 0.01,
        metaBatch: 10,
        shots: 5,
        hidden: [20, 30, 10],
        seed: 42,
      },
      task: { kind: 'view', index: 3 },
      compare: [{ algorithm: 'maml2' }, { algorithm: 'reptile', shots: 1 }, { algorithm: 'pretrained' }],
      hide: ['trajectory', 'alpha'],
    };
    const s = serialiseLabState(state);
    expect(s).toContain('compare=maml2,reptile-k1,pretrained');
    const back = parseLabState(s);
    expect(back.problems).toEqual([]);
    expect(back.state).toEqual(state);
  });

  it('writes nothing for the defaults and keeps parameters it does not own', () => {
    expect(serialiseLabState(DEFAULT_STATE)).toBe('');
    const s = serialiseLabState(
      { ...DEFAULT_STATE, config: { ...PAPER_SINUSOID_CONFIG, seed: 7 } },
      '?experiment=omniglot&autoplay=0&engine=fused&embed=1&alpha=3',
    );
    const q = new URLSearchParams(s);
    expect(q.get('seed')).toBe('7');
    expect(q.get('alpha')).toBeNull(); // owned: the default is not written
    expect([q.get('experiment'), q.get('autoplay'), q.get('engine'), q.get('embed')]).toEqual(['omniglot', '0', 'fused', '1']);
  });

  it('drops invalid values with a reason and keeps the defaults for them', () => {
    const { state, problems } = parseLabState(
      '?alpha=abc&seed=-1&hidden=100000&algorithm=sgd&task=x&compare=maml2&hide=nothing,curves&metaBatch=12',
    );
    expect(state.config).toEqual({ ...PAPER_SINUSOID_CONFIG, metaBatch: 12 });
    expect(state.task).toEqual(DEFAULT_STATE.task);
    expect(state.compare).toEqual([]);
    expect(state.hide).toEqual(['curves']);
    expect(problems).toHaveLength(7);
    expect(problems.join(' ')).toMatch(/sgd.*not a number.*between.*1 to 256.*task.*compare.*nothing/);
  });

  it('applies a preset, then explicit parameters over it', () => {
    const { state } = parseLabState('?preset=k1-vs-k10&seed=3');
    expect(state.compare).toEqual([{ algorithm: 'maml2', shots: 1 }, { algorithm: 'maml2' }]);
    expect(state.config.seed).toBe(3);
    expect(state.config.metaLr).toBe(0.01);
  });

  it('reads embed, large text and trajectory tasks', () => {
    const { state } = parseLabState('?embed=1&large=1&task=t4');
    expect(state).toMatchObject({ embed: true, large: true, task: { kind: 'trajectory', index: 4 } });
  });

  it('compares 2 to 4 distinct known methods', () => {
    expect(parseCompare('maml2,maml1').value).toHaveLength(2);
    expect(parseCompare('maml2,maml1,reptile,pretrained,maml2-k1').error).toMatch(/2 to 4/);
    expect(parseCompare('maml2,maml2').error).toMatch(/twice/);
    expect(parseCompare('maml2,maml2-k0').error).toMatch(/not a method/);
    expect(parseCompare('maml2-k5,maml2').value).toEqual([{ algorithm: 'maml2', shots: 5 }, { algorithm: 'maml2' }]);
  });
});
