import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { groupByClass, pathProblem, readZip } from './supportArchive';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

describe('batch archives of labelled examples', () => {
  it('groups images by class folder, under a shared root or not, and finds the queries', () => {
    const zip = zipSync({ 'set/a/1.png': png, 'set/a/2.png': png, 'set/b/1.jpg': png, 'set/query/q1.png': png, 'set/query/q2.png': png });
    const { entries, problems } = readZip('set.zip', zip);
    const g = groupByClass(entries, problems);
    expect(g.classes.map((c) => [c.name, c.examples.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(g.queries.map((q) => q.path)).toEqual(['set/query/q1.png', 'set/query/q2.png']);
    expect(g.problems).toEqual([]);
    const flat = groupByClass(readZip('x.zip', zipSync({ 'a/1.png': png, 'b/1.png': png })).entries);
    expect(flat.classes.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('refuses path traversal, absolute paths, nested archives and non-images, naming each, and keeps the rest', () => {
    const zip = zipSync({ 'a/1.png': png, 'a/../../evil.png': png, 'a/inner.zip': png, 'a/notes.txt': png, 'b/2.png': png });
    const { entries, problems } = readZip('mixed.zip', zip);
    expect(entries.map((e) => e.path).sort()).toEqual(['a/1.png', 'b/2.png']);
    const reasons = Object.fromEntries(problems.map((p) => [p.path, p.reason]));
    expect(reasons['a/../../evil.png']).toMatch(/leaves the archive/);
    expect(reasons['a/inner.zip']).toMatch(/nested archives/);
    expect(reasons['a/notes.txt']).toMatch(/not an image/);
    expect(pathProblem('/etc/passwd.png')).toMatch(/absolute/);
  });

  it('says a corrupt zip is corrupt', () => {
    expect(() => readZip('broken.zip', new Uint8Array(100).fill(3))).toThrow(/broken\.zip: not a readable zip archive/);
  });
});
