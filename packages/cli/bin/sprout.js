#!/usr/bin/env node
// The `sprout` command from a clone: runs the TypeScript sources through tsx with the `sprout-source`
// export condition (the same as `npm run sprout --`), passing the arguments and the exit status through.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const r = spawnSync(process.execPath, ['--conditions=sprout-source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (r.error !== undefined) {
  process.stderr.write(`sprout: cannot start node: ${r.error.message}\n`);
  process.exit(1);
}
if (r.signal !== null) process.kill(process.pid, r.signal);
process.exit(r.status ?? 1);
