// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by where the self time went: TensorFlow.js core
// (engine, tape, ops), the wasm backend's JavaScript, compiled WebAssembly, the native addon, garbage
// collection, and the rest; then the top functions by self time.
//
//   node --import tsx tools/src/bench-cpuprofile.ts PROFILE.cpuprofile [top=20]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(f: CallFrame, parent: CallFrame | undefined): string {
  const u = f.url;
  // The inspector session's own message loop (Profiler.stop) is not part of the measured code.
  if (f.functionName === 'dispatch' && u === '' && parent?.url.startsWith('node:inspector')) return 'EXCLUDED';
  // N-API callbacks show up as anonymous frames without a URL under the JavaScript that called them.
  if (
    u === '' &&
    f.functionName === '' &&
    parent !== undefined &&
    /packages\/native|@sprout\/native/.test(parent.url)
  ) {
    return 'native addon (C++ kernels, OpenBLAS)';
  }
  if (f.functionName === '(garbage collector)') return 'garbage collection';
  if (f.functionName === '(idle)' || f.functionName === '(program)' || f.functionName === '(root)')
    return `V8 ${f.functionName}`;
  if (u.startsWith('wasm://')) return 'WebAssembly (wasm kernels)';
  if (u.includes('tfjs-backend-wasm')) return 'tfjs-backend-wasm JS (kernel wrappers, cwrap)';
  if (u.includes('tfjs-core')) return 'tfjs-core (engine, tape, ops, optimizers)';
  if (u.includes('tfjs-layers')) return 'tfjs-layers';
  if (u.includes('tfjs-backend-cpu')) return 'tfjs-backend-cpu JS';
  if (u.includes('@sprout/native') || u.includes('packages/native')) return '@sprout/native JS';
  if (u.includes('packages/backend')) return '@sprout/backend JS (wasm kernels)';
  if (u === '' && f.functionName !== '') return 'native code (addon, OpenBLAS) / builtins';
  return 'other JS';
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: bench-cpuprofile PROFILE [top]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const selfUs = new Map<number, number>();
prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const cats = new Map<string, number>();
const funcs = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  const parentId = parentOf.get(id);
  const cat = category(f, parentId === undefined ? undefined : byId.get(parentId)?.callFrame);
  if (cat === 'EXCLUDED') continue;
  total += us;
  cats.set(cat, (cats.get(cat) ?? 0) + us);
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${f.lineNumber + 1}`;
  funcs.set(key, (funcs.get(key) ?? 0) + us);
}
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)}  ${c}`);
console.log('');
for (const [k, us] of [...funcs].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 20)))
  console.log(`${pct(us)}  ${k}`);
