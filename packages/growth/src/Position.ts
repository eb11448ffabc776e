/**
 * Candidate positions of a growable network (ALGORITHMS.md §3): the places where a virtual layer that leaves
 * the network function unchanged can be inserted, per architecture, indexed 0..P−1 in data-flow order.
 */
import type { Activation, Layer } from '@sprout/spec';

/**
 * The architectures growth recognises, detected from the layers (`detectArchitecture`):
 *   - `fnn`: dense layers (dropout allowed between them) with ReLU hidden activations;
 *   - `resnet`: a stem of dense layers, then residual blocks (the reference's tanh ResNet);
 *   - `cnn`: conv+ReLU layers (pool, flatten, dropout, batchnorm and dense layers around them).
 */
export type Architecture = 'fnn' | 'resnet' | 'cnn';

/** The kind of virtual layer a position receives. */
export type VirtualKind = 'dense' | 'residual' | 'conv';

export interface Position {
  /** Index of the position, 0..P−1 in data-flow order. */
  readonly index: number;
  readonly kind: VirtualKind;
  /** Top-level layer index the virtual layer takes when inserted (the layers from there on shift by one). */
  readonly at: number;
  /** Top-level index of the layer the position follows. */
  readonly after: number;
  /** Units (dense, residual) or channels (conv) of the virtual layer: it maps width → width. */
  readonly width: number;
  /** Shape of one example at the position (the virtual layer's input): `[n]` or `[H, W, m]`. */
  readonly inputShape: readonly number[];
  /** Human-readable place, e.g. `after layer 2 (dense 5 relu)`. */
  readonly description: string;
  /** Residual positions: the activation of the net's blocks (their first body layer), which the virtual block takes. */
  readonly activation?: Activation;
}

/** What a virtual layer is: its spec layer and the initial values of its parameters, by role path. */
export interface VirtualLayer {
  readonly layer: Layer;
  /**
   * Parameters relative to the layer's key: `kernel`, `bias`, or `body.0.kernel` … for a residual block, with
   * shape (tfjs layout) and values.
   */
  readonly params: readonly {
    readonly suffix: string;
    readonly shape: readonly number[];
    readonly values: Float32Array;
  }[];
  /**
   * Suffix of the virtual weight whose gradient is the sensitivity: `kernel` (dense, conv) or `body.1.kernel`
   * (residual: W₂; ∂J/∂W₁ = 0 while W₂ = 0).
   */
  readonly weight: string;
}
