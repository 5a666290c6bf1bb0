import { expect, test, type Download, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { watchErrors } from './helpers';

/**
 * Export and import in the Omniglot and RL labs, in the same files as the sinusoid lab (the
 * project's checkpoint: manifest + weights), plus PyTorch safetensors for the Omniglot model:
 * the continued training goes out and comes back, and bad files are refused with nothing changed.
 */
test.setTimeout(300_000);

const file = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/octet-stream', buffer });
const number = async (page: Page, testid: string) => Number((await page.getByTestId(testid).innerText()).replace(/[^0-9]/g, ''));

/** Clicks `button` and collects the `count` downloads it gives, by file name. */
async function downloads(page: Page, button: string, count: number): Promise<Record<string, Buffer>> {
  const got: Download[] = [];
  const listener = (d: Download) => got.push(d);
  page.on('download', listener);
  await page.getByTestId(button).click();
  await expect.poll(() => got.length).toBe(count);
  page.off('download', listener);
  return Object.fromEntries(await Promise.all(got.map(async (d) => [d.suggestedFilename(), readFileSync((await d.path())!)] as const)));
}

test('Omniglot: the continued meta-training exports, comes back after a reset, and bad files change nothing', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const start = await number(page, 'omniglot-iteration');
  await page.getByTestId('omniglot-target').fill(String(start + 2));
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 2).toLocaleString('en'), { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-play')).toContainText('Train');

  const ck = await downloads(page, 'omniglot-export', 2);
  const name = `maml-omniglot-${start + 2}`;
  expect(Object.keys(ck).sort()).toEqual([`${name}.json`, `${name}.weights.bin`]);
  const manifest = JSON.parse(ck[`${name}.json`].toString());
  expect(manifest).toMatchObject({ format: 'maml-lab/checkpoint', experiment: 'omniglot', learners: { maml: { iteration: start + 2 } } });
  expect(manifest.learners.maml.optimizerSlots).toBeGreaterThan(0); // Adam's state: training can go on from it
  const st = await downloads(page, 'omniglot-export-safetensors', 1);
  expect(Object.keys(st)).toEqual([`${name}.safetensors`]);

  // Back to the shipped model, then the exported one comes back with its iterations.
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('omniglot-reset').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(start.toLocaleString('en'));
  const input = page.getByTestId('omniglot-import');
  const message = page.getByTestId('omniglot-model-message');
  const refused = async (files: ReturnType<typeof file>[], why: RegExp) => {
    await input.setInputFiles(files);
    await expect(message).toContainText(why);
    await expect(message).toContainText(/Import refused, nothing changed/);
    expect(await number(page, 'omniglot-iteration')).toBe(start);
    await expect(page.getByTestId('omniglot-source')).toContainText('meta-trained checkpoint');
  };
  const sinusoid = JSON.parse(readFileSync('public/models/sinusoid/manifest.json', 'utf8'));
  await refused(
    [file('s.json', Buffer.from(JSON.stringify(sinusoid))), file('s.bin', readFileSync('public/models/sinusoid/weights.bin'))],
    /is a sinusoid model, not an Omniglot one/,
  );
  await refused(
    [file('m.json', ck[`${name}.json`]), file('w.bin', ck[`${name}.weights.bin`].subarray(4))],
    /bytes but the manifest describes/,
  );
  await refused([file('bad.safetensors', st[`${name}.safetensors`].subarray(0, 100))], /safetensors|header|bytes/i);
  const wide = structuredClone(manifest);
  wide.config.metaBatch = 1e6;
  await refused([file('m.json', Buffer.from(JSON.stringify(wide))), file('w.bin', ck[`${name}.weights.bin`])], /its settings are invalid/);

  await input.setInputFiles([file(`${name}.json`, ck[`${name}.json`]), file(`${name}.weights.bin`, ck[`${name}.weights.bin`])]);
  await expect(message).toContainText(`Imported ${name}.json`);
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 2).toLocaleString('en'));
  await expect(page.getByTestId('omniglot-source')).toContainText(`imported from ${name}.json`);
  // Saved in this browser: a reload keeps it.
  await page.reload();
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 2).toLocaleString('en'));

  // The PyTorch file comes back too (Adam starts afresh: safetensors holds the blocks only).
  await page.getByTestId('omniglot-import').setInputFiles([file(`${name}.safetensors`, st[`${name}.safetensors`])]);
  await expect(page.getByTestId('omniglot-model-message')).toContainText(/Imported .*safetensors, 64 filters/);
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 2).toLocaleString('en'));
  expect(errors).toEqual([]);
});

test('RL: the meta-policy exports and imports; another lab’s file and safetensors are refused', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)');
  const shipped = await downloads(page, 'rl-export', 2);
  expect(Object.keys(shipped).sort()).toEqual(['maml-rl-navigation-100.json', 'maml-rl-navigation-100.weights.bin']);
  const manifest = JSON.parse(shipped['maml-rl-navigation-100.json'].toString());
  expect(manifest).toMatchObject({ experiment: 'rl', config: { family: 'navigation' }, learners: { maml: { iteration: 100 } } });

  const input = page.getByTestId('rl-import');
  const message = page.getByTestId('rl-model-message');
  await input.setInputFiles([file('x.safetensors', Buffer.alloc(16))]);
  await expect(message).toContainText(/Import refused, nothing changed\. This lab imports the manifest/);
  const omniglot = readFileSync('public/models/omniglot/manifest.json');
  await input.setInputFiles([file('o.json', omniglot), file('o.bin', readFileSync('public/models/omniglot/weights.bin'))]);
  await expect(message).toContainText(/is an Omniglot model, not an RL one/);
  // The velocity policy imported from its shipped files, while the navigation task is shown.
  const velocity = JSON.parse(readFileSync('public/models/rl/velocity/maml/manifest.json', 'utf8'));
  await input.setInputFiles([
    file('velocity.json', Buffer.from(JSON.stringify(velocity))),
    file('velocity.bin', readFileSync(`public/models/rl/velocity/maml/${velocity.weightsManifest[0].paths[0]}`)),
  ]);
  await expect(message).toContainText(/Imported velocity\.json: the velocity meta-policy/);
  await page.getByTestId('family-velocity').check();
  await expect(page.getByTestId('rl-iteration')).toContainText('imported from velocity.json', { timeout: 60_000 });
  // And the navigation one round-trips.
  await page.getByTestId('family-navigation').check();
  await input.setInputFiles([
    file('maml-rl-navigation-100.json', shipped['maml-rl-navigation-100.json']),
    file('maml-rl-navigation-100.weights.bin', shipped['maml-rl-navigation-100.weights.bin']),
  ]);
  await expect(page.getByTestId('rl-iteration')).toContainText('imported from maml-rl-navigation-100.json, 100 iterations', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  expect(errors).toEqual([]);
});
