/**
 * Virtual layers: layers that leave the network function unchanged when inserted at their position
 * (ALGORITHMS.md §3, [code]; the peer `sensli_torch.py` builds the same ones):
 *   - dense:    h ↦ ReLU(I h + 0), exact because h ≥ 0 after a ReLU;
 *   - residual: x ↦ x + W₂ tanh(W₁ x + b₁) with W₁ = 0.8 I, b₁ = 0, W₂ = 0 (W₂ without bias);
 *   - conv:     3×3 conv m→m, padding same, centre tap I, other taps 0, bias 0, then ReLU (exact on h ≥ 0).
 */
import type { Position, VirtualLayer } from './Position.js';

export interface VirtualLayerOptions {
  /** The scale c of the residual block's W₁ = c I (the reference's 0.8). @default 0.8 */
  readonly residualScale?: number;
}

const identity = (n: number, scale = 1): Float32Array => {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = scale;
  return v;
};

/** The virtual layer of a position, with its identity/zero initial values (tfjs kernel layouts). */
export function virtualLayer(
  position: Pick<Position, 'kind' | 'width'>,
  options: VirtualLayerOptions = {},
): VirtualLayer {
  const w = position.width;
  switch (position.kind) {
    case 'dense':
      return {
        layer: { _tag: 'dense', units: w, activation: 'relu', bias: true },
        params: [
          { suffix: 'kernel', shape: [w, w], values: identity(w) },
          { suffix: 'bias', shape: [w], values: new Float32Array(w) },
        ],
        weight: 'kernel',
      };
    case 'residual':
      return {
        layer: {
          _tag: 'residual',
          body: [
            { _tag: 'dense', units: w, activation: 'tanh', bias: true },
            { _tag: 'dense', units: w, activation: 'linear', bias: false },
          ],
        },
        params: [
          { suffix: 'body.0.kernel', shape: [w, w], values: identity(w, options.residualScale ?? 0.8) },
          { suffix: 'body.0.bias', shape: [w], values: new Float32Array(w) },
          { suffix: 'body.1.kernel', shape: [w, w], values: new Float32Array(w * w) },
        ],
        weight: 'body.1.kernel',
      };
    case 'conv': {
      // tfjs conv kernel layout [kh, kw, in, out]: the centre tap (1, 1) holds I.
      const kernel = new Float32Array(9 * w * w);
      const centre = (1 * 3 + 1) * w * w;
      for (let i = 0; i < w; i++) kernel[centre + i * w + i] = 1;
      return {
        layer: { _tag: 'conv', filters: w, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
        params: [
          { suffix: 'kernel', shape: [3, 3, w, w], values: kernel },
          { suffix: 'bias', shape: [w], values: new Float32Array(w) },
        ],
        weight: 'kernel',
      };
    }
  }
}
