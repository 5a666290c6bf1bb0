import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeExampleFolders } from './lib/makeExampleFolders';
import { loadOmniglot } from './lib/omniglotData';

const run = (args: string[]) => spawnSync('npx', ['vite-node', 'scripts/classify.ts', '--', ...args], { encoding: 'utf8', timeout: 240_000 });

describe('npm run classify', () => {
  it('classifies a folder of queries with classes taught by one example each, as CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classify-'));
    const truth = makeExampleFolders(loadOmniglot(), dir, 5, 1, 2, 'classify-test');
    // A file that is not an image is reported and skipped; the rest still runs.
    writeFileSync(join(dir, 'query', 'notes.png'), 'not really a png');
    const r = run(['--support', join(dir, 'support'), '--query', join(dir, 'query')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('query,predicted,probability');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(10);
    const right = rows.filter(([q, c]) => truth[q] === c).length;
    expect(right).toBeGreaterThanOrEqual(7);
    for (const [, , p] of rows) expect(Number(p)).toBeGreaterThan(0.2);
    expect(r.stderr).toMatch(/notes\.png: not a PNG or JPEG image/);
  });

  it('refuses a support folder without classes, naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classify-'));
    const r = run(['--support', dir, '--query', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs at least 2 class sub-folders/);
  });
});
