import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@sprout/backend';
import { createNet, forward } from './src/index.ts';
const network = { input: [28, 28, 1], layers: [
  { _tag: 'conv', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
  { _tag: 'pool', kind: 'max', size: 2, stride: 2 },
  { _tag: 'conv', filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
  { _tag: 'pool', kind: 'max', size: 2, stride: 2 },
  { _tag: 'flatten' }], output: { units: 10, activation: 'linear' } } as const;
await initBackend('wasm');
const net = createNet(network as any, { seed: 1 });
const x = tf.randomUniform([64, 28, 28, 1]); const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10);
const opt = tf.train.sgd(0.01);
const step = () => tf.tidy(() => { opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(net, x, { training: true })) as tf.Scalar, false, net.params.map(p => p.variable)); });
step(); step();
const t = process.cpuUsage(); const w = performance.now();
for (let i = 0; i < 20; i++) step();
const u = process.cpuUsage(t);
console.log('step cpu ms', ((u.user + u.system) / 1000 / 20).toFixed(1), 'wall ms', ((performance.now() - w) / 20).toFixed(1));
const p = await tf.profile(() => { step(); return undefined as any; });
const by = new Map<string, number>();
for (const k of p.kernels) by.set(k.name, (by.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...by].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
