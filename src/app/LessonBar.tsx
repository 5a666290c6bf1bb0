import { useState } from 'react';
import { ALGORITHMS, ALGORITHM_LABELS, type Algorithm } from '../maml/algorithm/algorithm';
import type { MethodSpec } from '../worker/protocol';
import { PRESETS, type Preset } from '../maml/sinusoid/presets';
import { MAX_COMPARE, PANELS } from './urlState';

/**
 * The teacher's controls: presets, methods to compare, the tour, which panels show, and a
 * link that reproduces all of it.
 */
export function LessonBar({
  compare,
  onCompare,
  onPreset,
  onTour,
  hide,
  onHide,
  link,
}: {
  compare: MethodSpec[];
  onCompare: (c: MethodSpec[]) => void;
  onPreset: (p: Preset) => void;
  onTour: () => void;
  hide: string[];
  onHide: (h: string[]) => void;
  link: () => string;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const [picked, setPicked] = useState<Algorithm[]>(() => compare.filter((m) => m.shots === undefined).map((m) => m.algorithm));
  const plain = compare.every((m) => m.shots === undefined);

  const toggle = (a: Algorithm, on: boolean) => {
    const next = on ? [...picked.filter((x) => x !== a), a] : picked.filter((x) => x !== a);
    const ordered = ALGORITHMS.filter((x) => next.includes(x));
    setPicked(ordered);
    onCompare(ordered.length >= 2 ? ordered.map((algorithm) => ({ algorithm })) : []);
  };

  const copy = async () => {
    const url = link();
    setCopied(url);
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard permission: the link is shown selected beside the button.
    }
  };

  return (
    <section className="lesson-bar" aria-label="Lesson">
      <div className="field inline">
        <label htmlFor="preset">Preset</label>
        <select
          id="preset"
          data-testid="preset"
          value=""
          onChange={(e) => {
            const p = PRESETS.find((x) => x.id === e.target.value);
            if (p) {
              setPicked(p.compare?.every((m) => m.shots === undefined) ? p.compare.map((m) => m.algorithm) : []);
              onPreset(p);
            }
          }}
        >
          <option value="">Choose a lesson…</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="compare-pick" data-testid="compare-pick">
        <legend>
          Compare methods <span className="muted">(2–{MAX_COMPARE}, same tasks)</span>
        </legend>
        {ALGORITHMS.map((a) => (
          <label key={a} className="check">
            <input
              type="checkbox"
              checked={(plain && compare.some((m) => m.algorithm === a)) || (!compare.length && picked.includes(a))}
              onChange={(e) => toggle(a, e.target.checked)}
              data-testid={`compare-${a}`}
            />
            {ALGORITHM_LABELS[a]}
          </label>
        ))}
      </fieldset>
      <button type="button" onClick={onTour} data-testid="tour-start">
        Guided tour
      </button>
      <details
        className="panels-menu"
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.currentTarget.open = false;
          e.currentTarget.querySelector('summary')?.focus();
        }}
      >
        <summary>Panels</summary>
        <div role="group" aria-label="Visible panels">
          {PANELS.map((p) => (
            <label key={p.id} className="check">
              <input
                type="checkbox"
                checked={!hide.includes(p.id)}
                onChange={(e) => onHide(e.target.checked ? hide.filter((h) => h !== p.id) : [...hide, p.id])}
                data-testid={`show-${p.id}`}
              />
              {p.label}
            </label>
          ))}
        </div>
      </details>
      <button type="button" onClick={copy} data-testid="copy-link">
        Copy link
      </button>
      {copied && (
        <input
          className="link-out"
          readOnly
          value={copied}
          aria-label="Link to this state"
          data-testid="link"
          onFocus={(e) => e.target.select()}
        />
      )}
    </section>
  );
}
