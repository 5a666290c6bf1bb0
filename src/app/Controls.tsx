import { useEffect, useState } from 'react';
import { ALGORITHMS, ALGORITHM_LABELS } from '../maml/algorithm/algorithm';
import type { SinusoidConfig } from '../maml/sinusoid/config';
import { FIELDS, isAlgorithm, parseField, parseHidden, type FieldKey } from '../maml/sinusoid/settings';

const ORDER: FieldKey[] = ['alpha', 'trainSteps', 'testSteps', 'metaLr', 'metaBatch', 'shots', 'seed'];

type Draft = Record<FieldKey | 'hidden', string>;
const draftOf = (c: SinusoidConfig): Draft => ({
  ...(Object.fromEntries(ORDER.map((k) => [k, String(c[k])])) as Record<FieldKey, string>),
  hidden: c.hidden.join(', '),
});

/**
 * The hyperparameters. A valid change applies at once (Enter or leaving the field);
 * an invalid one shows why beside the field and changes nothing.
 */
export function Controls({
  config,
  onChange,
  hidden = [],
}: {
  config: SinusoidConfig;
  onChange: (c: SinusoidConfig) => void;
  hidden?: readonly string[];
}) {
  const [draft, setDraft] = useState<Draft>(draftOf(config));
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  useEffect(() => setDraft(draftOf(config)), [config]);

  const commit = (key: keyof Draft) => {
    const text = draft[key];
    const parsed = key === 'hidden' ? parseHidden(text) : parseField(key, text);
    setErrors((e) => ({ ...e, [key]: parsed.error }));
    if (parsed.error || parsed.value === undefined) return;
    const next = { ...config, [key]: parsed.value };
    if (JSON.stringify(next) !== JSON.stringify(config)) onChange(next);
  };

  const field = (key: keyof Draft, label: string, hint: string) =>
    hidden.includes(key) ? null : (
      <div className={`field${errors[key] ? ' invalid' : ''}`} key={key}>
        <label htmlFor={`f-${key}`}>{label}</label>
        <input
          id={`f-${key}`}
          name={key}
          inputMode={key === 'hidden' ? 'text' : 'decimal'}
          value={draft[key]}
          aria-invalid={Boolean(errors[key])}
          aria-describedby={`h-${key}`}
          onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
          onBlur={() => commit(key)}
          onKeyDown={(e) => e.key === 'Enter' && commit(key)}
        />
        <small id={`h-${key}`} className={errors[key] ? 'error' : 'muted'} role={errors[key] ? 'alert' : undefined}>
          {errors[key] ?? hint}
        </small>
      </div>
    );

  return (
    <section className="controls" aria-label="Hyperparameters">
      {!hidden.includes('algorithm') && (
        <div className="field">
          <label htmlFor="f-algorithm">Algorithm</label>
          <select
            id="f-algorithm"
            value={config.algorithm}
            onChange={(e) => isAlgorithm(e.target.value) && onChange({ ...config, algorithm: e.target.value })}
          >
            {ALGORITHMS.map((a) => (
              <option key={a} value={a}>
                {ALGORITHM_LABELS[a]}
              </option>
            ))}
          </select>
          <small className="muted">the pretrained baseline always trains alongside</small>
        </div>
      )}
      {ORDER.map((k) => field(k, FIELDS[k].label, FIELDS[k].hint ?? ''))}
      {field('hidden', 'Hidden layers', 'ReLU units per layer, paper: 40, 40')}
    </section>
  );
}
