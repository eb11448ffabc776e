// Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter per call on wasm: stock (+ Sprout's wasm kernels)
// vs native (im2col + sgemm, and the direct loops for 8-32 output channels), for the small MNIST CNN's shapes. Interleaved repetitions, median CPU time of each.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-conv.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '@sprout/backend';
import { nativeAddon, registerNativeKernels, unregisterNativeKernels } from '@sprout/native';
import { medianOf as median } from './bench-lib.js';

await tf.setBackend('wasm');
registerWasmKernels();
const shapes: Array<[string, [number, number, number, number], [number, number, number, number]]> = [
  ['conv1 100×28×28×1 ⊛ 3×3×1×8', [100, 28, 28, 1], [3, 3, 1, 8]],
  ['conv2 100×14×14×8 ⊛ 3×3×8×16', [100, 14, 14, 8], [3, 3, 8, 16]],
  ['virtual 100×28×28×8 ⊛ 3×3×8×8', [100, 28, 28, 8], [3, 3, 8, 8]],
  ['inserted 100×14×14×16 ⊛ 3×3×16×16', [100, 14, 14, 16], [3, 3, 16, 16]],
  ['conv 32×16×16×32 ⊛ 3×3×32×64', [32, 16, 16, 32], [3, 3, 32, 64]],
];
for (const [label, xs, ws] of shapes) {
  const x = tf.randomUniform(xs, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(ws, -1, 1, 'float32', 2) as tf.Tensor4D;
  const b = tf.randomUniform([ws[3]], -1, 1, 'float32', 4);
  const dy = tf.randomUniform([xs[0], xs[1], xs[2], ws[3]], -1, 1, 'float32', 3) as tf.Tensor4D;
  const ops: Array<[string, () => tf.Tensor]> = [
    ['Conv2D', () => tf.conv2d(x, w, 1, 'same')],
    ['FusedConv2D relu', () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' })],
    ['Conv2DBackpropInput', () => tf.conv2dTranspose(dy, w, xs, 1, 'same')],
    [
      'Conv2DBackpropFilter',
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: ws },
          ) as tf.Tensor,
    ],
  ];
  for (const [name, f] of ops) {
    const t: Record<'stock' | 'gemm' | 'direct', number[]> = { stock: [], gemm: [], direct: [] };
    for (let r = 0; r < 15; r++) {
      for (const mode of ['stock', 'gemm', 'direct'] as const) {
        if (mode === 'stock') unregisterNativeKernels();
        else {
          registerNativeKernels({ minConvChannelProduct: 0 });
          nativeAddon()!.setDirectConv(mode === 'direct');
        }
        // CPU time of this process (1 thread everywhere): robust to other jobs sharing the cores.
        const c0 = process.cpuUsage();
        const y = f();
        y.dataSync();
        const c = process.cpuUsage(c0);
        t[mode].push((c.user + c.system) / 1000);
        y.dispose();
      }
    }
    const flops = 2 * xs[0] * xs[1] * xs[2] * ws[0] * ws[1] * ws[2] * ws[3];
    const s = median(t.stock.slice(3));
    const fmt = (ms: number): string =>
      `${ms.toFixed(2).padStart(6)} ms (${(flops / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s)`;
    console.log(
      `${label.padEnd(34)} ${name.padEnd(21)} stock ${fmt(s)}  im2col+sgemm ${fmt(median(t.gemm.slice(3)))}  direct ${fmt(median(t.direct.slice(3)))}`,
    );
  }
  tf.dispose([x, w, b, dy]);
}
unregisterNativeKernels();
