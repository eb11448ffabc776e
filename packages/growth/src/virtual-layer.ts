/**
 * Virtual layers: layers that leave the network function unchanged when inserted at their position
 * (ALGORITHMS.md §3, [code]; the peer `sensli_torch.py` builds the same ones):
 *   - dense:    h ↦ ReLU(I h + 0), exact because h ≥ 0 after a ReLU;
 *   - residual: x ↦ x + W₂ σ(W₁ x + b₁) with σ the net's block activation (tanh in the reference's
 *     ResNets); the reference's first initialisation (`outer_zero`, default) W₁ = 0.8 I, b₁ = 0, W₂ = 0,
 *     sensitivity ∂J/∂W₂; its second (`inner_zero`, model_selection.py `v2`) W₁ = 0, b₁ = 0, W₂ = 0.8 I,
 *     sensitivity ∂J/∂W₁, exact only when σ(0) = 0 (not for sigmoid);
 *   - conv:     3×3 conv m→m, padding same, centre tap I, other taps 0, bias 0, then ReLU (exact on h ≥ 0).
 */
import type { Position, VirtualLayer } from './Position.js';

/** Which weight of the virtual residual block starts at zero (the other is c·I); see the module comment. */
export type ResidualInit = 'outer_zero' | 'inner_zero';

export interface VirtualLayerOptions {
  /** The scale c of the residual block's non-zero weight c I (the reference's 0.8). @default 0.8 */
  readonly residualScale?: number;
  /** The reference's first (`outer_zero`) or second (`inner_zero`) block initialisation. @default 'outer_zero' */
  readonly residualInit?: ResidualInit;
}

const identity = (n: number, scale = 1): Float32Array => {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = scale;
  return v;
};

/** The virtual layer of a position, with its identity/zero initial values (tfjs kernel layouts). */
export function virtualLayer(
  position: Pick<Position, 'kind' | 'width' | 'activation'>,
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
    case 'residual': {
      const scale = options.residualScale ?? 0.8;
      const inner = options.residualInit === 'inner_zero';
      return {
        layer: {
          _tag: 'residual',
          body: [
            { _tag: 'dense', units: w, activation: position.activation ?? 'tanh', bias: true },
            { _tag: 'dense', units: w, activation: 'linear', bias: false },
          ],
        },
        params: [
          { suffix: 'body.0.kernel', shape: [w, w], values: inner ? new Float32Array(w * w) : identity(w, scale) },
          { suffix: 'body.0.bias', shape: [w], values: new Float32Array(w) },
          { suffix: 'body.1.kernel', shape: [w, w], values: inner ? identity(w, scale) : new Float32Array(w * w) },
        ],
        weight: inner ? 'body.0.kernel' : 'body.1.kernel',
      };
    }
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
