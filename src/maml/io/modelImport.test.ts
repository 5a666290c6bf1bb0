import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOmniglotModel, readRlPolicy, readSinusoidModel, ModelImportError, type ModelUpload } from './modelImport';
import { checkConfig as checkSinusoid } from '../sinusoid/settings';
import { conv4Metadata, conv4ToTorch } from './conv4Torch';
import { encodeSafetensors } from './safetensors';
import { checkSettings } from '../settings/table';
import { OMNIGLOT_SETTINGS } from '../omniglot/settings';
import type { OmniglotConfig } from '../omniglot/config';

/** A shipped model as the page would read its two files. */
function upload(dir: string): Extract<ModelUpload, { manifest: unknown }> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const buf = readFileSync(join(dir, manifest.weightsManifest[0].paths[0]));
  return { name: 'manifest.json', manifest, weights: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
}
const check = (c: OmniglotConfig) => checkSettings(OMNIGLOT_SETTINGS, c);
const OMNIGLOT = 'public/models/omniglot';

describe('the import reader', () => {
  const shipped = upload(OMNIGLOT);
  const config = (shipped.manifest as { config: OmniglotConfig }).config;

  it('reads an Omniglot checkpoint with its settings, iteration and Adam state where it has one', () => {
    const r = readOmniglotModel(shipped, { ...config, way: 5 }, check);
    expect(r.config).toEqual(config);
    // The iteration the file records, read here without the reader.
    const recorded = (shipped.manifest as { learners: { maml: { iteration: number } } }).learners.maml.iteration;
    expect(recorded).toBeGreaterThan(0);
    expect(r.state.iteration).toBe(recorded);
    expect(r.state.theta).toHaveLength(12);
    expect(r.note).toBe(`imported from manifest.json, ${recorded} iterations`);
    // The shipped model has no Adam state (it ships θ only); the 4,000-iteration checkpoint it continued keeps it.
    expect(r.state.optimizer).toBeUndefined();
    const withAdam = upload('docs/results/omniglot-64');
    const a = readOmniglotModel(withAdam, config, check);
    expect(a.state.iteration).toBe(4000);
    expect(a.state.optimizer).toHaveLength(25);
  });

  it('reads a safetensors conv-4 body, its settings from the metadata, the rest kept', () => {
    const theta = readOmniglotModel(shipped, config, check).state.theta;
    const bytes = encodeSafetensors(
      conv4ToTorch(theta, config.filters),
      conv4Metadata(config.filters, { alpha: 0.7, testSteps: 3 }, { iteration: '123' }),
    );
    const r = readOmniglotModel({ name: 'm.safetensors', safetensors: bytes.slice().buffer }, config, check);
    expect(r.config).toEqual({ ...config, alpha: 0.7, testSteps: 3 });
    expect(r.state.iteration).toBe(123);
    expect(r.state.theta.map((t) => Array.from(t))).toEqual(theta.map((t) => Array.from(t)));
    expect(r.state.optimizer).toBeUndefined();
    // PyTorch's save_file writes no metadata: every setting is the lab's.
    const bare = encodeSafetensors(conv4ToTorch(theta, config.filters));
    expect(readOmniglotModel({ name: 'b.safetensors', safetensors: bare.slice().buffer }, config, check).config).toEqual(config);
  });

  it('refuses, naming the problem: another lab, bad settings, wrong shapes, corrupt weights', () => {
    const refused = (up: ModelUpload, c = config) => {
      try {
        readOmniglotModel(up, c, check);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelImportError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused(upload('public/models/sinusoid'))).toMatch(/manifest\.json is a sinusoid model, not an Omniglot one/);
    const m = structuredClone(shipped.manifest) as { config: OmniglotConfig };
    m.config.alpha = -1;
    expect(refused({ ...shipped, manifest: m })).toMatch(/its settings are invalid/);
    expect(refused({ ...shipped, weights: shipped.weights.slice(8) })).toMatch(/bytes but the manifest describes/);
    const theta = readOmniglotModel(shipped, config, check).state.theta;
    const narrow = conv4ToTorch(theta, config.filters).map((t) =>
      t.name === 'blocks.1.conv.weight' ? { ...t, shape: [32, 128, 3, 3] } : t,
    );
    expect(refused({ name: 'x.safetensors', safetensors: encodeSafetensors(narrow).slice().buffer })).toMatch(/blocks\.1\.conv\.weight/);
    expect(refused({ name: 'x.safetensors', safetensors: new Uint8Array([1, 2, 3]).buffer })).toMatch(/safetensors|8 bytes|short/i);
  });

  it('reads a sinusoid checkpoint, both learners, and refuses bad settings or a mismatched architecture', () => {
    const up = upload('public/models/sinusoid');
    const { checkpoint, config } = readSinusoidModel(up, checkSinusoid);
    expect(Object.keys(checkpoint.learners).sort()).toEqual(['maml', 'pretrained']);
    expect(config.hidden).toEqual([40, 40]);
    const m = structuredClone(up.manifest) as { config: { hidden: number[] } };
    m.config.hidden = [40, 41];
    expect(() => readSinusoidModel({ ...up, manifest: m }, checkSinusoid)).toThrow(
      /architecture \[1,40,40,1\] does not match its hidden layers \[40,41\]/,
    );
    expect(() => readSinusoidModel(shipped, checkSinusoid)).toThrow(/is an Omniglot model, not a sinusoid one/);
  });

  it('reads an RL meta-policy and refuses the wrong lab, another architecture and safetensors', () => {
    const nav = upload('public/models/rl/navigation/maml');
    const r = readRlPolicy(nav);
    expect(r.config.family).toBe('navigation');
    expect(r.state.theta.length).toBeGreaterThan(2);
    expect(() => readRlPolicy(shipped)).toThrow(/is an Omniglot model, not an RL one/);
    expect(() => readRlPolicy(nav, () => [2, 64, 2])).toThrow(/the policy has layers \[2,100,100,2\]/);
    expect(() => readRlPolicy({ name: 'p.safetensors', safetensors: new ArrayBuffer(8) })).toThrow(/manifest \(\.json\) and its weights/);
    expect(() => readRlPolicy(upload('public/models/rl/navigation/pretrained'))).toThrow(/holds no meta-learned \("maml"\) policy/);
  });
});
