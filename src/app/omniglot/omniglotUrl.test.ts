import { describe, expect, it } from 'vitest';
import { DEFAULT_OMNIGLOT_CONFIG } from '../../maml/omniglot/config';
import { linkedConfig, parseOmniglotUrl, serialiseOmniglotUrl } from './omniglotUrl';

describe('Omniglot state in the URL', () => {
  it('round-trips the episode and changed settings, keeping other parameters', () => {
    const model = { ...DEFAULT_OMNIGLOT_CONFIG };
    const state = {
      episode: { way: 12, shot: 3, serial: 7 },
      hide: ['settings' as const, 'curves' as const],
      config: { alpha: 0.2, algorithm: 'maml1' as const, metaBatch: model.metaBatch },
    };
    const search = serialiseOmniglotUrl(state, model, 'experiment=omniglot&alpha=0.5&o.way=3');
    const q = new URLSearchParams(search);
    expect(q.get('experiment')).toBe('omniglot');
    expect(q.get('alpha')).toBe('0.5'); // the sinusoid lab's own parameter, untouched
    expect(q.has('o.train.metaBatch')).toBe(false); // equal to the model's: not written
    const back = parseOmniglotUrl(search);
    expect(back.problems).toEqual([]);
    expect(back.state.episode).toEqual(state.episode);
    expect(back.state.hide).toEqual(['settings', 'curves']);
    expect(q.get('o.hide')).toBe('settings,curves');
    expect(back.state.config).toEqual({ alpha: 0.2, algorithm: 'maml1' });
    expect(linkedConfig(model, back.state.config)).toEqual({ ...model, alpha: 0.2, algorithm: 'maml1' });
    expect(linkedConfig(model, { alpha: model.alpha })).toBeNull();
  });

  it('drops bad values and names them', () => {
    const { state, problems } = parseOmniglotUrl(
      'o.way=40&o.shot=x&o.episode=-1&o.algorithm=sgd&o.train.alpha=9&o.train.filters=32&o.hide=episode,menu',
    );
    expect(state.hide).toEqual(['episode']);
    expect(state.episode).toEqual({ way: 5, shot: 1, serial: 0 });
    expect(state.config).toEqual({ filters: 32 });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/o\.way=40: must be from 2 to 20/);
    expect(problems.join('\n')).toMatch(/o\.algorithm=sgd/);
  });

  it('hides single settings as well as panels', () => {
    expect(parseOmniglotUrl('o.hide=alpha,metaLr,curves')).toEqual({
      state: { episode: { way: 5, shot: 1, serial: 0 }, hide: ['alpha', 'metaLr', 'curves'], config: {} },
      problems: [],
    });
  });

  it('writes nothing for the defaults', () => {
    expect(
      serialiseOmniglotUrl(
        { episode: { way: 5, shot: 1, serial: 0 }, hide: [], config: {} },
        DEFAULT_OMNIGLOT_CONFIG,
        'experiment=omniglot',
      ),
    ).toBe('experiment=omniglot');
  });
});
