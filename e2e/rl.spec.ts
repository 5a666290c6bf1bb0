import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, watchErrors } from './helpers';

/** Number of points in an SVG path's d attribute (M + L commands). */
const points = (d: string | null) => (d ?? '').split(/[ML]/).filter((s) => s.trim()).length;

async function pathDs(page: Page, plane: string, which: 'path-before' | 'path-after') {
  return page
    .getByTestId(plane)
    .getByTestId(which)
    .evaluateAll((ps) => ps.map((p) => p.getAttribute('d')));
}

async function clickAt(page: Page, testId: string, fx: number, fy: number) {
  const box = (await page.getByTestId(testId).locator('svg').boundingBox())!;
  await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
}

test.describe('RL lab', () => {
  test.setTimeout(300_000);

  test('clicking a goal adapts every policy and draws its rollouts before and after the step; the velocity task too; training continues', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=rl');
    await expect(page.getByTestId('rl-backend')).toContainText(/wasm|js/, { timeout: 120_000 });
    // The first goal's rollouts: 5 faint and 5 bold per method.
    for (const m of ['maml', 'pretrained', 'random']) {
      await expect(page.getByTestId(`plane-${m}`).getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
      await expect(page.getByTestId(`plane-${m}`).getByTestId('path-before')).toHaveCount(5);
    }
    const firstAfter = await pathDs(page, 'plane-maml', 'path-after');

    // Click the top-left part of the MAML plane: a new goal, new rollouts for every method.
    await clickAt(page, 'plane-maml', 0.25, 0.25);
    await expect(page.getByTestId('rl-goal')).toContainText('Goal position (-0.');
    await expect.poll(async () => (await pathDs(page, 'plane-maml', 'path-after'))[0], { timeout: 120_000 }).not.toBe(firstAfter[0]);
    await expect(page.getByTestId('rl-adapting')).toHaveCount(0, { timeout: 120_000 });
    // After the animation every rollout is drawn in full (up to 101 points; fewer if it reached the goal).
    await page.waitForTimeout(2500);
    for (const m of ['maml', 'pretrained', 'random']) {
      const before = await pathDs(page, `plane-${m}`, 'path-before');
      const after = await pathDs(page, `plane-${m}`, 'path-after');
      expect(before).toHaveLength(5);
      expect(after).toHaveLength(5);
      for (const d of [...before, ...after]) expect(points(d)).toBeGreaterThan(2);
      expect(new Set(after).size).toBeGreaterThan(1);
    }
    // The goal marker sits where the click was (top-left quadrant of the plane).
    await expect(page.getByTestId('plane-maml').getByTestId('goal')).toHaveCount(1);
    // Return bars with numbers for all three starting points, before and after.
    const bars = page.getByTestId('return-bars');
    for (const m of ['maml', 'pretrained', 'random'])
      for (const phase of ['before', 'after']) await expect(bars.getByTestId(`bar-${m}-${phase}`)).toHaveText(/^-?\d+\.\d$/);
    await expect(bars.locator('svg')).toHaveAttribute('aria-label', /MAML meta-policy: -?\d+\.\d before, -?\d+\.\d after one step/);
    await expect(page.getByTestId('rl-curve').getByTestId('curve-after')).toHaveCount(1);
    await page.screenshot({ path: `${SCREENSHOTS}/rl-navigation.png`, fullPage: true });

    // The velocity family: a goal velocity from the pad, the body and its velocity over time.
    await page.getByTestId('family-velocity').check();
    await expect(page.getByTestId('velocity-maml').getByTestId('velocity-after')).toHaveCount(5, { timeout: 120_000 });
    const firstVelocity = await page.getByTestId('velocity-maml').getByTestId('velocity-after').first().getAttribute('d');
    await clickAt(page, 'velocity-pad', 0.8, 0.5);
    await expect(page.getByTestId('rl-goal')).toContainText('Goal velocity (0.');
    await expect
      .poll(() => page.getByTestId('velocity-maml').getByTestId('velocity-after').first().getAttribute('d'), { timeout: 120_000 })
      .not.toBe(firstVelocity);
    await page.waitForTimeout(2500);
    await expect(page.getByTestId('plane-maml').getByTestId('body')).toHaveCount(1);
    // The animation ends with every step drawn (100 steps and the start).
    await expect
      .poll(async () => points(await page.getByTestId('velocity-maml').getByTestId('velocity-after').first().getAttribute('d')), {
        timeout: 30_000,
      })
      .toBe(101);
    await expect(page.getByTestId('velocity-pretrained').getByTestId('goal-speed')).toHaveCount(1);
    await page.screenshot({ path: `${SCREENSHOTS}/rl-velocity.png`, fullPage: true });

    // Train continues from the shipped policy: the iteration count grows, then Pause stops it.
    const text = await page.getByTestId('rl-iteration').innerText();
    const shipped = Number(/(\d+) meta-iterations/.exec(text)![1]);
    await page.getByTestId('rl-train').click();
    await expect(page.getByTestId('rl-train')).toHaveText('Pause', { timeout: 60_000 });
    await expect
      .poll(async () => Number(/(\d+) meta-iterations/.exec(await page.getByTestId('rl-iteration').innerText())![1]), { timeout: 180_000 })
      .toBeGreaterThan(shipped);
    await page.getByTestId('rl-train').click();
    await expect(page.getByTestId('rl-train')).toHaveText('Train', { timeout: 120_000 });
    expect(errors).toEqual([]);
  });

  test('the task family and goal live in the URL: a link opens the same task; bad values are named', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=rl&r.task=velocity&r.goal=0.5,0.2');
    await expect(page.getByTestId('family-velocity')).toBeChecked();
    await expect(page.getByTestId('rl-goal')).toContainText('Goal velocity (0.50, 0.20), speed 0.54');
    await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
    await page.getByTestId('family-navigation').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('r.task')).toBeNull();
    await clickAt(page, 'plane-maml', 0.75, 0.25);
    await expect.poll(() => new URL(page.url()).searchParams.get('r.goal')).toMatch(/^0\.\d+,0\.\d+$/);
    const goal = await page.getByTestId('rl-goal').innerText();
    await page.goto(page.url());
    await expect(page.getByTestId('rl-goal')).toHaveText(goal);
    // Hide flags and embed mode.
    await page.goto('./?experiment=rl&embed=1&r.hide=random,curve,training');
    await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
    await expect(page.getByTestId('plane-random')).toHaveCount(0);
    await expect(page.getByTestId('rl-train')).toHaveCount(0);
    await expect(page.locator('h1')).toHaveCount(0);
    await page.goto('./?experiment=rl&r.goal=3,0');
    await expect(page.getByTestId('rl-link-note')).toContainText('r.goal=3,0: outside ±0.6; ignored');
    expect(errors).toEqual([]);
  });
});
