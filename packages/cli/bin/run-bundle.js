// Runs the `sprout` command bundled into one CommonJS file (packages/cli/dist/sprout.cjs, made by
// tools/bundle-cli.mjs) as Node would `require` it, but compiled with V8's code cache, which on Node 20
// only a classic script (vm.Script) can use: compiling the 4 MB bundle is then mostly deserialising
// the code the previous run compiled.
'use strict';
const { readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/**
 * Runs the bundle `file` with the arguments of this process. One cache per sub-command (`run`, `check`,
 * …; `other` for the rest) and set of Node options, named after the bundle's size and modification time
 * so that a rebuilt bundle never reads an old cache; it is written when the process exits if there was
 * none or V8 rejected it (another Node version), and skipped when the folder is read-only. Returns false,
 * having run nothing, when the bundle cannot be read or compiled.
 */
const runBundle = (file) => {
  let source;
  let st;
  try {
    // tools/bundle-cli.mjs writes ASCII only: latin1 is exact and about ten times faster to read than UTF-8.
    source = readFileSync(file, 'latin1').replace(/^#!.*/, '');
    st = statSync(file);
  } catch {
    return false;
  }
  const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
  // V8 rejects a cache made under other V8 flags: Node options get their own cache instead of rewriting one.
  let flags = 0;
  for (const c of [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' '))
    flags = (Math.imul(flags, 31) + c.codePointAt(0)) >>> 0;
  const cacheFile = `${file}.${st.size}-${Math.round(st.mtimeMs)}.${/^[a-z]{1,16}$/.test(command) ? command : 'other'}${flags === 0 ? '' : `.${flags.toString(36)}`}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  let script;
  try {
    script = new Script(Module.wrap(source), { filename: file, cachedData });
  } catch {
    return false;
  }
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true });
      }
    });
  }
  // V8 has no module loader for `import()` in a vm.Script: the bundle imports the libraries it leaves
  // out (vega, vega-lite) through this function.
  globalThis.__sproutImport = (specifier) => import(specifier);
  const bundleModule = { exports: {}, filename: file, id: file };
  script.runInThisContext()(bundleModule.exports, Module.createRequire(file), bundleModule, file, dirname(file));
  return true;
};

module.exports = { runBundle };
