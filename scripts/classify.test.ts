import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOfficialRun } from '../e2e/fixtures/officialDrawings';
import { makeExampleFolders } from './lib/makeExampleFolders';
import { loadOmniglot } from './lib/omniglotData';

const runCli = (args: string[]) =>
  spawnSync('npx', ['vite-node', 'scripts/classify.ts', '--', ...args], { encoding: 'utf8', timeout: 240_000 });

describe('npm run classify', () => {
  it('classifies a folder of queries with classes taught by one example each, as CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classify-'));
    const truth = makeExampleFolders(loadOmniglot(), dir, 5, 1, 2, 'classify-test');
    // A file that is not an image is reported and skipped; the rest still runs.
    writeFileSync(join(dir, 'query', 'notes.png'), 'not really a png');
    const r = runCli(['--support', join(dir, 'support'), '--query', join(dir, 'query')]);
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

  it('reads the official Omniglot files (1-bit PNGs): 20-way one-shot runs of katakana, other drawers as queries, far above chance', () => {
    // Two runs (drawers 1 -> 2 and 3 -> 4) of 20 characters each. Reading the 1-bit rows as bytes
    // gave the same class for every query (5%, chance); the shipped model gets 26 of these 40 (within one alphabet is much harder than mixing alphabets).
    let right = 0;
    for (const [s, q] of [
      [0, 1],
      [2, 3],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'classify-official-'));
      const run = writeOfficialRun(dir, { way: 20, supportDrawer: s, queryDrawer: q });
      const r = runCli(['--support', run.support, '--query', run.query]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      expect(rows).toHaveLength(20);
      expect(new Set(rows.map(([, c]) => c)).size).toBeGreaterThan(10);
      right += rows.filter(([file, c]) => run.truth[file] === c).length;
    }
    console.log(`official katakana 20-way one-shot runs through npm run classify: ${right} of 40 right`);
    expect(right).toBeGreaterThanOrEqual(20); // ten times chance
  });

  it('refuses a support folder without classes, naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classify-'));
    const r = runCli(['--support', dir, '--query', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs at least 2 class sub-folders/);
  });
});
