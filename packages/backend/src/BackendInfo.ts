/**
 * Which TensorFlow.js backend a run uses, why, and the error when an explicitly requested backend cannot load.
 */

/** What the caller asks for; `auto` tries node, then wasm, then cpu. */
export type BackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

/** Sprout's names of the backends: `node` is tfjs-node (tfjs name `tensorflow`). */
export type BackendName = 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  readonly name: BackendName;
  /** The tfjs backend name (`tf.getBackend()`): `tensorflow`, `wasm` or `cpu`. */
  readonly tfName: string;
  /** With `auto`, why a faster backend was not used (absent when the first choice loaded). */
  readonly fallbackReason?: string;
  /** One line for the user: the backend in use and, after a fallback, why. */
  readonly message: string;
  /** Kernels Sprout registered for this backend (e.g. `Conv2DBackpropFilter` on wasm). */
  readonly suppliedKernels: readonly string[];
  /** The optional OpenBLAS kernels of `@sprout/native` (wasm and cpu only): registered, or why not. */
  readonly native?: { readonly ok: boolean; readonly reason?: string; readonly kernels: readonly string[] };
}

export type BackendError = {
  readonly _tag: 'backend-unavailable';
  readonly backend: BackendName;
  readonly reason: string;
  readonly message: string;
};
