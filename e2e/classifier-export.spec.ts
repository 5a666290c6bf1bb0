import { expect, test } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { SHAPE_CLASSES, shapeQueries, teachShapeClasses } from './fixtures/images';
import { watchErrors } from './helpers';
import { decodeImage } from '../scripts/lib/decodeImage';
import { preprocessRgba } from '../src/maml/omniglot/preprocess';
import { decodeSafetensors } from '../src/maml/io/safetensors';

/**
 * Export classifier, as a web developer would use it: the zip the page downloads after
 * Classify holds a tfjs LayersModel that tf.loadLayersModel reads, and on the same query
 * images (preprocessed here by the command line's decoder, which the page's matches) it gives
 * the page's predictions and probabilities; and the same weights as PyTorch safetensors.
 */
test.setTimeout(240_000);

test('Export classifier: tf.loadLayersModel reads the download and predicts what the page shows', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const own = page.getByTestId('own-classes');
  await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
  await teachShapeClasses(own);
  const names = SHAPE_CLASSES;
  const queries = shapeQueries();
  await own.getByTestId('query-files').setInputFiles(queries);
  await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(6);
  await own.getByTestId('own-steps').fill('3');
  await own.getByTestId('classify').click();
  await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
  await expect(own.getByTestId('own-step')).toHaveText('3', { timeout: 10_000 });
  const shown = await own.getByTestId('own-result').evaluateAll((rs) =>
    rs.map((r) => ({
      query: (r.querySelector('[aria-label^="query "]')?.getAttribute('aria-label') ?? '').replace('query ', ''),
      label: r.querySelector('[data-testid="own-prediction"]')?.textContent?.trim() ?? '',
      probability: Number(r.querySelector('[data-testid="own-prediction"]')?.getAttribute('data-probability')),
    })),
  );

  const [download] = await Promise.all([page.waitForEvent('download'), own.getByTestId('export-classifier').click()]);
  expect(download.suggestedFilename()).toBe('maml-lab-classifier.zip');
  await expect(own.getByTestId('export-classifier-note')).toContainText('Saved maml-lab-classifier.zip');
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(files).sort()).toEqual(['metadata.json', 'model.json', 'model.safetensors', 'model.weights.bin']);
  const metadata = JSON.parse(strFromU8(files['metadata.json']));
  expect(metadata.labels).toEqual(names);
  expect(metadata.imageSize).toBe(28);

  // The web developer's lines: load the model and classify a preprocessed 28x28 image.
  await tf.setBackend('cpu');
  const model = await loadLayersModel(
    tf.io.fromMemory({
      ...JSON.parse(strFromU8(files['model.json'])),
      weightSpecs: JSON.parse(strFromU8(files['model.json'])).weightsManifest[0].weights,
      weightData: files['model.weights.bin'].slice().buffer,
    }),
  );
  for (const s of shown) {
    const file = queries.find((q) => q.name === s.query)!;
    const img = decodeImage(file.name, new Uint8Array(file.buffer));
    const { pixels } = preprocessRgba(img.data, img.width, img.height);
    const probs = Array.from(tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync()));
    const best = probs.indexOf(Math.max(...probs));
    expect(metadata.labels[best], s.query).toBe(s.label);
    expect(Math.abs(probs[best] - s.probability), s.query).toBeLessThan(1e-4);
  }
  model.dispose();

  // And the same classifier for PyTorch: the conv-4 names of docs/PYTORCH.md, with the head.
  const torch = decodeSafetensors(files['model.safetensors']);
  expect([...torch.tensors.keys()]).toContain('head.weight');
  expect(torch.tensors.get('head.weight')!.shape).toEqual([3, 4 * 64]); // the shipped model's 64 filters
  expect(JSON.parse(torch.metadata.labels)).toEqual(names);
  expect(errors).toEqual([]);
});

test('Export classifier before any Classify is not offered', async ({ page }) => {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('own-classes').getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('export-classifier')).toHaveCount(0);
});
