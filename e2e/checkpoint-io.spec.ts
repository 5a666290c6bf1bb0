import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { iteration, waitForBackend, watchErrors } from './helpers';

test.setTimeout(240_000);

const file = (name: string, buffer: Buffer) => ({
  name,
  mimeType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
  buffer,
});

async function steps(page: Page, n: number) {
  for (let i = 0; i < n; i++) {
    const k = await iteration(page);
    await page.getByTestId('step').click();
    await expect.poll(() => iteration(page)).toBe(k + 1);
  }
}

test('an exported checkpoint re-imports to identical predictions; corrupt and oversized files are refused and change nothing', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('./?autoplay=0&seed=5&alpha=0.02');
  await waitForBackend(page);
  await steps(page, 4);
  await expect(page.getByTestId('adapt-learner-loss')).toBeVisible();
  const step10 = () => page.getByTestId('adapt-learner-step-10').getAttribute('d');
  const loss = () => page.getByTestId('adapt-learner-loss').innerText();
  const predictions = await step10();
  const lossText = await loss();

  const downloads: import('@playwright/test').Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('export-checkpoint').click();
  await expect.poll(() => downloads.length).toBe(2);
  const byName = Object.fromEntries(
    await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), readFileSync((await d.path())!)] as const)),
  );
  expect(Object.keys(byName).sort()).toEqual(['maml-sinusoid-4.json', 'maml-sinusoid-4.weights.bin']);
  const manifestBuf = byName['maml-sinusoid-4.json'];
  const weightsBuf = byName['maml-sinusoid-4.weights.bin'];
  const manifest = JSON.parse(manifestBuf.toString());
  expect(manifest).toMatchObject({
    format: 'maml-lab/checkpoint',
    version: 1,
    experiment: 'sinusoid',
    architecture: { kind: 'mlp', sizes: [1, 40, 40, 1] },
    config: { seed: 5, alpha: 0.02, algorithm: 'maml2' },
    learners: { maml: { iteration: 4 }, pretrained: { iteration: 4 } },
    taskFamily: { name: 'sinusoid', amplitude: [0.1, 5] },
  });
  expect(manifest.trainedOn.backend).toMatch(/^browser-/);
  expect(manifest.weightsManifest[0].paths).toEqual(['maml-sinusoid-4.weights.bin']);
  expect(weightsBuf.length).toBe(
    manifest.weightsManifest[0].weights.reduce((a: number, w: { shape: number[] }) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0),
  );

  // Train on: the predictions move away from the exported ones.
  await steps(page, 2);
  await expect.poll(step10).not.toBe(predictions);
  const current = await step10();

  const input = page.getByTestId('import-checkpoint');
  const message = page.getByTestId('file-message');
  const refused = async (files: ReturnType<typeof file>[], why: RegExp) => {
    await input.setInputFiles(files);
    await expect(message).toContainText(why);
    await expect(message).toContainText(/Import refused, nothing changed/);
    expect(await iteration(page)).toBe(6);
    expect(await step10()).toBe(current);
  };
  const truncated = weightsBuf.subarray(0, weightsBuf.length - 4);
  await refused([file('m.json', manifestBuf), file('w.bin', truncated)], /bytes but the manifest describes/);
  const nan = Buffer.from(weightsBuf);
  nan.writeFloatLE(Number.NaN, 8);
  await refused([file('m.json', manifestBuf), file('w.bin', nan)], /non-finite/);
  await refused([file('m.json', manifestBuf), file('w.bin', Buffer.alloc(17 * 1024 * 1024))], /over the limit/);
  await refused([file('m.json', Buffer.from('{"format": ')), file('w.bin', weightsBuf)], /not valid JSON/);
  await refused(
    [file('m.json', Buffer.from(JSON.stringify({ ...manifest, format: 'keras' }))), file('w.bin', weightsBuf)],
    /format is "keras"/,
  );
  await refused(
    [
      file('m.json', Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, metaBatch: 1e9 } }))),
      file('w.bin', weightsBuf),
    ],
    /Meta-batch size must be between/,
  );
  const badShape = structuredClone(manifest);
  badShape.weightsManifest[0].weights[0].shape = [40, 1];
  await refused([file('m.json', Buffer.from(JSON.stringify(badShape))), file('w.bin', weightsBuf)], /shape \[40,1\], expected \[1,40\]/);
  await refused([file('m.json', manifestBuf)], /two files/);
  const badIteration = structuredClone(manifest);
  badIteration.learners.maml.iteration = -3;
  await refused([file('m.json', Buffer.from(JSON.stringify(badIteration))), file('w.bin', weightsBuf)], /iteration -3/);
  // A NaN in Adam's state (not in theta): found before anything changes.
  const specs: { name: string; shape: number[] }[] = manifest.weightsManifest[0].weights;
  const slot = specs.findIndex((w) => w.name.startsWith('maml/optimizer/') && w.shape.length > 0);
  const offset = specs.slice(0, slot).reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
  const nanAdam = Buffer.from(weightsBuf);
  nanAdam.writeFloatLE(Number.POSITIVE_INFINITY, offset);
  await refused([file('m.json', manifestBuf), file('w.bin', nanAdam)], /optimizer state holds non-finite/);

  // The real files load: the same predictions, to the last digit of the path.
  await input.setInputFiles([file('maml-sinusoid-4.json', manifestBuf), file('maml-sinusoid-4.weights.bin', weightsBuf)]);
  await expect(message).toContainText(/Imported/);
  await expect.poll(() => iteration(page)).toBe(4);
  await expect.poll(step10).toBe(predictions);
  expect(await loss()).toBe(lossText);
  await expect(page.getByTestId('status')).toContainText(/imported checkpoint/);
  expect(errors).toEqual([]);
});

test('plots save as SVG and PNG, and the curves as CSV', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  await steps(page, 2);
  const save = async (testid: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
    return { name: d.suggestedFilename(), data: readFileSync((await d.path())!) };
  };
  const svg = await save('save-svg-curves');
  expect(svg.name).toBe('training-curves.svg');
  expect(svg.data.toString()).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<path[^>]*d="M/);
  const png = await save('save-png-curves');
  expect(png.name).toBe('training-curves.png');
  expect(png.data.subarray(1, 4).toString()).toBe('PNG');
  expect(png.data.readUInt32BE(16)).toBe(1240); // twice the plot's width
  const csv = await save('export-csv');
  const lines = csv.data.toString().trim().split('\n');
  expect(lines[0]).toBe('iteration,learner_pre,learner_post,baseline_pre,baseline_post');
  expect(lines).toHaveLength(3);
  expect(lines[2]).toMatch(/^2,\d/);
});
