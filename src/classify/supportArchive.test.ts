import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { groupByClass, MAX_INFLATED_BYTES, pathProblem, readZip, zipDirectory } from './supportArchive';
import { classFiles, declaring } from '../../e2e/fixtures/zipBomb';

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

  it('refuses a zip bomb from its directory before inflating anything: 100 entries declared 19 MB each', () => {
    // A small archive that says it inflates to 1.9 GB (fflate writes no more than an entry declares).
    const bomb = declaring(zipSync(classFiles(100)), 19e6);
    expect(zipDirectory(bomb)!.reduce((a, d) => a + d.size, 0)).toBe(1.9e9);
    const t0 = performance.now();
    expect(() => readZip('bomb.zip', bomb)).toThrow(
      /bomb\.zip: its 100 images would inflate to 1900 MB, over the 200 MB an archive may hold; nothing was read/,
    );
    expect(performance.now() - t0).toBeLessThan(200); // nothing was allocated or inflated
  });

  it('reads an archive whose images fit the budget exactly, and refuses one more entry', () => {
    const size = 15e6;
    const fits = Math.floor(MAX_INFLATED_BYTES / size);
    expect(readZip('ok.zip', declaring(zipSync(classFiles(fits)), size)).entries).toHaveLength(fits);
    expect(() => readZip('over.zip', declaring(zipSync(classFiles(fits + 1)), size))).toThrow(/would inflate to/);
  });

  it('reads the directory of an archive with comments and extra fields, and names a damaged one', () => {
    const zip = zipSync({ 'a/1.png': [png, { comment: 'a comment', extra: { 0x6375: new Uint8Array([1, 2, 3]) } }], 'b/2.png': png });
    expect(zipDirectory(zip)).toEqual([
      { name: 'a/1.png', size: png.length },
      { name: 'b/2.png', size: png.length },
    ]);
    const damaged = zip.slice();
    const dv = new DataView(damaged.buffer);
    let end = damaged.length - 22;
    while (dv.getUint32(end, true) !== 0x06054b50) end--;
    dv.setUint32(end + 16, 3, true); // the directory's offset points into the first file's data
    expect(() => readZip('damaged.zip', damaged)).toThrow(/damaged\.zip: not a readable zip archive \(its central directory is damaged\)/);
  });
});
