#!/usr/bin/env node
// The spirals FNN protocol (examples/spirals-fnn.sprout, one seed: the SensLI arm and both fixed arms,
// 1850 epochs each) trained in the playground in headless chromium, against the same file in the CLI on the
// wasm backend without OpenBLAS (SPROUT_NATIVE=0). Prints the training seconds each reports (RunResult's
// `seconds`, from the start of the run to its end) and the wall time of each, and their ratio.
// Usage: node scripts/speed.mjs [--reps N]   (builds nothing: run `npx vite build` first)
/* global document */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const repo = join(root, '..', '..');
const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 1) || 1;
const text = readFileSync(join(repo, 'examples', 'spirals-fnn.sprout'), 'utf8').replace(/repeat 30/, 'repeat 1');
const hash = `#sprout=${Buffer.from(text, 'utf8').toString('base64url')}`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

console.log(`load average at the start: ${load()}`);
const server = await preview({ root, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' } });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
  headless: true,
});
const page = [];
for (let r = 0; r < reps; r++) {
  const p = await browser.newPage();
  await p.goto(`${url}${hash}`);
  await p.waitForFunction(() => document.getElementById('backend')?.dataset.backend !== undefined);
  const t0 = performance.now();
  await p.click('#run');
  await p.waitForFunction(() => document.body.dataset.outcome !== undefined, undefined, { timeout: 900_000 });
  const wall = (performance.now() - t0) / 1000;
  const status = await p.locator('#status').textContent();
  const seconds = Number(/finished in ([\d.]+) s/.exec(status ?? '')?.[1]);
  page.push({ seconds, wall, backend: await p.locator('#backend').textContent() });
  await p.close();
}
await browser.close();
await server.close();

const cli = [];
const dir = mkdtempSync(join(tmpdir(), 'sprout-speed-'));
writeFileSync(join(dir, 'spirals-fnn.sprout'), text);
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [
      join(repo, 'packages', 'cli', 'bin', 'sprout.js'),
      'run',
      join(dir, 'spirals-fnn.sprout'),
      '--backend',
      'wasm',
      '--out',
      join(dir, `run-${r}`),
      '--quiet',
    ],
    { env: { ...process.env, SPROUT_NATIVE: '0' }, stdio: 'ignore' },
  );
  const wall = (performance.now() - t0) / 1000;
  const summary = JSON.parse(readFileSync(join(dir, `run-${r}`, 'summary.json'), 'utf8'));
  cli.push({ seconds: summary.seconds, wall, backend: summary.backend });
}
const min = (xs) => Math.min(...xs);
const p = { seconds: min(page.map((x) => x.seconds)), wall: min(page.map((x) => x.wall)) };
const c = { seconds: min(cli.map((x) => x.seconds)), wall: min(cli.map((x) => x.wall)) };
console.log(
  `page (chromium, ${page[0].backend}): training ${p.seconds.toFixed(2)} s, click to finished ${p.wall.toFixed(2)} s`,
);
console.log(
  `CLI (wasm, SPROUT_NATIVE=0, backend ${cli[0].backend}): training ${c.seconds.toFixed(2)} s, process wall ${c.wall.toFixed(2)} s`,
);
console.log(
  `ratio page / CLI: training ${(p.seconds / c.seconds).toFixed(2)}, wall ${(p.wall / c.wall).toFixed(2)} (goal ≤ 2; best of ${reps})`,
);
console.log(`load average at the end: ${load()}`);
