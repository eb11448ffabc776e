#!/usr/bin/env node
// Packs every package under packages/ for a release, without publishing, and without touching the clone's
// own dist/ folders (tests may be using them): each package's published files are copied into a staging
// folder, built there (ES modules, CommonJS, .d.ts and .d.cts: tools/build.mjs, tools/build-types.mjs),
// and `npm pack`ed into OUTDIR (default packs/). Prints each tarball's packed and unpacked size.
// `npm run pack` runs it; the consumer test (tools/test/consumer.test.ts) installs these tarballs into a
// project outside the clone.
// Usage: node tools/pack.mjs [OUTDIR]
// Each report also holds the packed package.json (`manifest`), for the consumer test's local registry.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageDirs, transpilePackage } from './build.mjs';
import { buildTypes } from './build-types.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packs every workspace under packages/ into `dir`; returns npm's report of each tarball (name, version,
 * filename as a full path, size, unpackedSize, entryCount, integrity, shasum, files).
 */
export const packAll = async (dir) => {
  const stage = mkdtempSync(join(tmpdir(), 'sprout-stage-'));
  try {
    const staged = [];
    for (const pkg of packageDirs()) {
      const from = join(root, 'packages', pkg);
      const to = join(stage, pkg);
      const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
      mkdirSync(to, { recursive: true });
      for (const f of [
        'package.json',
        'README.md',
        'LICENSE',
        ...(manifest.files ?? []).filter((f) => !f.startsWith('!') && f !== 'dist'),
      ]) {
        if (existsSync(join(from, f))) cpSync(join(from, f), join(to, f), { recursive: true });
      }
      await transpilePackage(join(from, 'src'), join(to, 'dist'));
      staged.push(to);
    }
    buildTypes((pkg) => join(stage, pkg, 'dist'));
    mkdirSync(dir, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout } = await promisify(execFile)(
      npm,
      ['pack', ...staged, '--pack-destination', dir, '--json', '--ignore-scripts'],
      {
        cwd: stage,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout).map((p) => ({
      ...p,
      filename: resolve(dir, p.filename),
      files: p.files.map((f) => f.path),
      manifest: JSON.parse(readFileSync(join(stage, p.name.replace(/^@sprout\//, ''), 'package.json'), 'utf8')),
    }));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = resolve(process.argv[2] ?? join(root, 'packs'));
  const started = performance.now();
  const packed = await packAll(outdir);
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`| package | tarball | unpacked | files |\n| --- | ---: | ---: | ---: |`);
  for (const p of packed) console.log(`| ${p.name} | ${kB(p.size)} | ${kB(p.unpackedSize)} | ${p.entryCount} |`);
  const total = packed.reduce((n, p) => n + p.size, 0);
  console.log(
    `\n${packed.length} tarballs (${kB(total)} in all) in ${outdir}, packed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
