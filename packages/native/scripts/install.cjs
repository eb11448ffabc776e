#!/usr/bin/env node
// Builds the optional native addon (node-gyp + OpenBLAS) at install time. It never fails the install:
// on any failure it leaves build/NATIVE_UNAVAILABLE.txt with the reason, and Sprout falls back to the
// stock TensorFlow.js kernels (saying so once at run time). Rebuild with `npm rebuild @sprout/native`.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const marker = path.join(buildDir, 'NATIVE_UNAVAILABLE.txt');
const logFile = path.join(buildDir, 'build.log');
const addonFile = path.join(buildDir, 'Release', 'sprout_native.node');
const stampFile = path.join(buildDir, 'SOURCES.sha256');
const hint = 'for the fast path: sudo apt-get install libopenblas-dev && npm rebuild @sprout/native';

function leaveMarker(reason) {
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(marker, `${reason}\n`);
  console.log(`@sprout/native: native kernels not built (${reason}); ${hint}`);
  process.exit(0);
}

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    candidates.push(
      path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  }
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // node-gyp is not installed next to this package: the other candidates are tried
  }
  candidates.push(
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  );
  return candidates.find((c) => c && fs.existsSync(c));
}

/** What the built addon depends on: its sources, the build file, and the Node ABI. */
function sourcesHash() {
  const h = createHash('sha256');
  const native = fs
    .readdirSync(path.join(root, 'native'))
    .filter((f) => /\.(cc|h)$/.test(f))
    .sort();
  for (const f of ['binding.gyp', ...native.map((f) => path.join('native', f))]) {
    h.update(f);
    h.update(fs.readFileSync(path.join(root, f)));
  }
  h.update(`${process.versions.modules} ${process.versions.napi} ${process.platform} ${process.arch}`);
  return h.digest('hex');
}

function main() {
  try {
    if (process.env.SPROUT_NATIVE === '0') return leaveMarker('disabled by SPROUT_NATIVE=0 at install');
    // An up-to-date addon is kept (a rebuild would remove it for a while under running processes);
    // SPROUT_NATIVE_REBUILD=1 forces the build.
    const hash = sourcesHash();
    if (
      process.env.SPROUT_NATIVE_REBUILD !== '1' &&
      fs.existsSync(addonFile) &&
      fs.existsSync(stampFile) &&
      fs.readFileSync(stampFile, 'utf8').trim() === hash
    ) {
      console.log('@sprout/native: the OpenBLAS kernels are built and up to date');
      return;
    }
    if (process.platform !== 'linux' && process.platform !== 'darwin')
      return leaveMarker(`unsupported platform ${process.platform}`);
    const nodeGyp = findNodeGyp();
    if (!nodeGyp) return leaveMarker('node-gyp not found');
    const args = [nodeGyp, 'rebuild'];
    // Offline machines: build against the local Node headers instead of downloading them.
    if (!process.env.npm_config_nodedir) {
      const prefix = path.resolve(path.dirname(process.execPath), '..');
      if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
    }
    let r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: process.env, timeout: 300_000 });
    let log = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    // binding.gyp compiles for this machine's CPU (-march=native); a compiler that rejects that flag gets a
    // second, portable build (SPROUT_NATIVE_ARCH_FLAGS set to nothing).
    if (r.status !== 0 && process.env.SPROUT_NATIVE_ARCH_FLAGS === undefined && /march/.test(log)) {
      r = spawnSync(process.execPath, args, {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SPROUT_NATIVE_ARCH_FLAGS: '' },
        timeout: 300_000,
      });
      log = `${log}\n--- portable build (without -march=native) ---\n${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    }
    fs.mkdirSync(buildDir, { recursive: true });
    fs.writeFileSync(logFile, log);
    if (r.status !== 0) {
      let reason = `node-gyp failed (exit ${r.status ?? r.signal ?? r.error?.message}), see ${path.relative(root, logFile)}`;
      if (/cblas\.h.*No such file/.test(log)) reason = 'libopenblas-dev is not installed (cblas.h not found)';
      else if (/cannot find -lopenblas/.test(log)) reason = 'libopenblas-dev is not installed (-lopenblas not found)';
      else if (/not found: (make|g\+\+|c\+\+)|gyp ERR! stack Error: not found/.test(log))
        reason = 'no C++ toolchain (make / g++)';
      else if (/find Python|python/i.test(log) && /gyp ERR! find Python/.test(log))
        reason = 'python3 not found (node-gyp needs it)';
      return leaveMarker(reason);
    }
    if (fs.existsSync(marker)) fs.rmSync(marker);
    fs.writeFileSync(stampFile, `${hash}\n`);
    console.log('@sprout/native: built the OpenBLAS kernels');
  } catch (e) {
    leaveMarker(`install script error: ${e && e.message ? e.message : String(e)}`);
  }
}

main();
