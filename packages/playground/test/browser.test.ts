// The playground in a real browser: Debian's chromium (no browser download) driven by playwright-core,
// against the static build served by `vite preview`. Each state is kept as a screenshot in
// test/artifacts/ (look at them after changing the page).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShare } from '../src/share.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const artifacts = join(root, 'test', 'artifacts');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

let server: PreviewServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const configFile = join(root, 'vite.config.ts');
  await build({ root, configFile, logLevel: 'error' });
  server = await preview({ root, configFile, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' } });
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Tracked = Page & { errors: string[] };
const open = async (hash = ''): Promise<Tracked> => {
  const page = (await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })) as Tracked;
  page.errors = [];
  // Only a guard against a hang: a loaded machine may take long to start the page or train.
  page.setDefaultTimeout(180_000);
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('dialog', (d) => void d.dismiss().then(() => page.errors.push(`a dialog opened: ${d.message()}`)));
  await page.goto(`${url}${hash}`);
  await page.waitForSelector('.cm-content');
  await page.waitForFunction(() => document.getElementById('backend')?.dataset['backend'] !== undefined);
  return page;
};
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const setEditorText = async (page: Page, text: string) => {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
};
const example = (name: string) => readFileSync(join(root, 'examples', `${name}.sprout`), 'utf8');
const epochOf = (page: Page, arm: string) =>
  page.evaluate(
    (a) => Number(document.querySelector(`article.arm[data-arm="${a}"] .summary`)?.getAttribute('data-epoch') ?? 0),
    arm,
  );

describe('the playground in chromium', () => {
  it('loads, shows the backend it trains on, and marks an error where it is, with a quick fix', async () => {
    const page = await open();
    expect(await page.locator('#backend').textContent()).toMatch(/training on wasm · this browser has .*wasm/);
    await shot(page, '01-loaded');
    await setEditorText(page, example('spirals-sensli').replace('dense 5 relu', 'dense 5 rellu'));
    const mark = page.locator('.cm-lintRange-error');
    await mark.first().waitFor();
    expect(await mark.first().textContent()).toBe('rellu');
    await mark.first().hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/did you mean 'relu'\?/);
    await shot(page, '02-diagnostic');
    await page.locator('.cm-diagnosticAction', { hasText: "use 'relu'" }).click();
    await page.waitForFunction(() => document.querySelector('.cm-lintRange-error') === null);
    expect(await page.locator('.cm-content').textContent()).toContain('dense 5 relu');
    // Format on demand: the example without its indentation comes back as it is written (it is formatted).
    const written = example('spirals-sensli');
    await setEditorText(page, written.replace(/^ +/gm, ''));
    await page.click('#format');
    expect(await page.evaluate(() => document.querySelector('#status')?.textContent)).toBe('formatted');
    const lines = await page.locator('.cm-line').allTextContents();
    expect(lines.join('\n')).toBe(written);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('runs the spirals SensLI example: the curve advances, a layer is inserted, the diagram grows; the model downloads and loads', async () => {
    const page = await open();
    await page.selectOption('#examples', 'spirals-sensli');
    await page.click('#run');
    const base = page.locator('article.arm[data-arm="base"]');
    await page.waitForFunction(
      () => Number(document.querySelector('article.arm[data-arm="base"] .summary')?.getAttribute('data-epoch')) >= 50,
    );
    const before = Number(await base.locator('svg.architecture').getAttribute('data-layers'));
    expect(before).toBe(2); // dense 5, output
    await shot(page, '03-training');
    await page.waitForFunction(
      () => document.querySelector('article.arm[data-arm="base"] svg.curves')?.getAttribute('data-insertions') === '1',
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForFunction(
      () =>
        Number(document.querySelector('article.arm[data-arm="base"] svg.architecture')?.getAttribute('data-layers')) ===
        3,
      undefined,
      { timeout: 60_000 },
    );
    expect(await base.locator('.layer-new').textContent()).toMatch(/dense 5 relu\s+\(new\)/);
    expect(await base.locator('.insertion-marker').count()).toBe(1);
    expect(await base.locator('.bar-chosen').count()).toBe(1);
    expect(Number(await base.locator('canvas.boundary').getAttribute('data-epoch'))).toBeGreaterThan(0);
    await shot(page, '04-inserted');
    await page.waitForFunction(() => document.body.dataset['outcome'] === 'finished', undefined, { timeout: 300_000 });
    await page.locator('#downloads a[data-file="model/weights.bin"]').waitFor();
    await shot(page, '05-finished');
    const get = async (file: string): Promise<Buffer> => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#downloads a[data-file="${file}"]`),
      ]);
      return readFileSync(await download.path());
    };
    const json = JSON.parse((await get('model/model.json')).toString('utf8')) as tf.io.ModelJSON;
    const weights = await get('model/weights.bin');
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    // The grown net: dense 5, the inserted dense 5, the output layer.
    expect(
      model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units),
    ).toEqual([5, 5, 2]);
    model.dispose();
    const metrics = (await get('metrics.csv')).toString('utf8').trim().split('\n');
    expect(metrics[0]).toMatch(/^arm,repeat,seed,epoch,train_loss/);
    expect(metrics).toHaveLength(1 + 600 + 600);
    expect((await get('events.jsonl')).toString('utf8')).toContain('"_tag":"insertion"');
    expect(JSON.parse((await get('spec.json')).toString('utf8')).name).toBe('spirals-sensli');
    expect(page.errors).toEqual([]);
    await page.close();
  }, 600_000);

  it('stops, then continues from where it stopped to the end', async () => {
    const page = await open();
    await setEditorText(page, example('spirals-sensli').replace('epochs 600', 'epochs 1500'));
    await page.click('#run');
    await page.waitForFunction(
      () => Number(document.querySelector('article.arm[data-arm="base"] .summary')?.getAttribute('data-epoch')) >= 100,
    );
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset['outcome'] === 'interrupted');
    const stoppedAt = await epochOf(page, 'base');
    expect(stoppedAt).toBeLessThan(1500);
    await shot(page, '06-stopped');
    expect(await page.locator('#continue').isEnabled()).toBe(true);
    await page.click('#continue');
    await page.waitForFunction(() => document.body.dataset['outcome'] === 'finished', undefined, { timeout: 300_000 });
    await shot(page, '07-continued');
    // The page kept the stopped run's curve and drew the rest: every epoch once, insertion included.
    const base = page.locator('article.arm[data-arm="base"]');
    expect(await base.locator('svg.curves').getAttribute('data-points')).toBe('1500');
    expect(await base.locator('.insertion-marker').count()).toBe(1);
    expect(await base.locator('svg.architecture').getAttribute('data-layers')).toBe('3');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#downloads a[data-file="metrics.csv"]'),
    ]);
    const rows = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    // Every epoch of both arms exactly once: the continued run picked up where the stopped one ended.
    const keys = rows.map((r) => r.split(',').slice(0, 4).join(','));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2 * 1500);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 600_000);

  it('a dropped CSV is the data of a csv experiment', async () => {
    const page = await open();
    const rows = ['x,y,label'];
    for (let i = 0; i < 200; i++) {
      const x = ((i * 37) % 100) / 50 - 1;
      const y = ((i * 61) % 100) / 50 - 1;
      rows.push(`${x},${y},${x + y > 0 ? 1 : 0}`);
    }
    const csv = `${rows.join('\n')}\n`;
    const drop = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'points.csv', { type: 'text/csv' }));
      return dt;
    }, csv);
    await page.dispatchEvent('body', 'drop', { dataTransfer: drop });
    await page.locator('#data-files li', { hasText: 'points.csv' }).waitFor();
    await setEditorText(
      page,
      [
        'experiment "dropped" {',
        '  seed 1',
        '  data csv "points.csv" { label "label", split 0.75 }',
        '  network {',
        '    input 2',
        '    dense 4 relu',
        '    output 2',
        '  }',
        '  loss cross_entropy',
        '  optimizer sgd {',
        '    step constant 0.2',
        '  }',
        '  train { epochs 40, batch full }',
        '}',
        '',
      ].join('\n'),
    );
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset['outcome'] !== undefined, undefined, { timeout: 120_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^finished/);
    expect(await epochOf(page, 'base')).toBe(40);
    await shot(page, '08-csv');
    expect(page.errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('trains the MNIST example on the subset the page ships', async () => {
    const page = await open();
    await page.click('#mnist');
    await page.locator('#data-files li', { hasText: 'train-images-idx3-ubyte (784,016 bytes)' }).waitFor();
    expect(await page.locator('#data-files li').count()).toBe(4);
    await page.selectOption('#examples', 'mnist-small');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset['outcome'] !== undefined, undefined, { timeout: 300_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^finished/);
    expect(await epochOf(page, 'base')).toBe(4);
    // 1,000 training images of 28×28 into dense 32 and 10 outputs: the first layer reads all 784 pixels.
    expect(await page.locator('article.arm[data-arm="base"] svg.architecture').textContent()).toContain('input 784');
    expect(await page.locator('article.arm[data-arm="base"] .bar').count()).toBeGreaterThan(0);
    await shot(page, '11-mnist');
    expect(page.errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('a shared link opens its experiment; names from it stay text; a malformed link gets a diagnostic', async () => {
    const hostile = example('spirals-sensli')
      .replace('"fixed small"', '"<img src=x onerror=alert(1)><script>alert(2)</script>"')
      .replace('epochs 600', 'epochs 20')
      .replace('at epoch 150', 'at epoch 10');
    const page = await open(encodeShare(hostile));
    expect(await page.locator('.cm-content').textContent()).toContain('<script>alert(2)</script>');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset['outcome'] === 'finished', undefined, { timeout: 120_000 });
    const title = page.locator('article.arm h2').nth(1);
    expect(await title.textContent()).toBe('<img src=x onerror=alert(1)><script>alert(2)</script>');
    expect(await page.locator('article.arm script, article.arm img').count()).toBe(0);
    await shot(page, '09-shared-link');
    expect(page.errors).toEqual([]);
    await page.close();

    const bad = await open('#sprout=%%%not-base64');
    const mark = bad.locator('.cm-lint-marker-error');
    await mark.first().waitFor();
    expect(await bad.locator('.cm-lintPoint-error').count()).toBe(1); // at 1:1
    await bad.hover('.cm-lint-marker-error');
    await bad.locator('.cm-tooltip').first().waitFor();
    expect(await bad.locator('.cm-tooltip').first().textContent()).toMatch(/the shared link is malformed/);
    await shot(bad, '10-bad-link');
    await bad.close();
    writeFileSync(
      join(artifacts, 'README.txt'),
      'Screenshots of the playground browser tests (test/browser.test.ts).\n',
    );
  }, 300_000);
});
