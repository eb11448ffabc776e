// Messages between the page and the training worker (structured clones: plain data only).
import type { Layer } from '@sprout/spec';
import type { RunEvent } from '@sprout/pipeline/core';

export type TrainingBackend = 'wasm' | 'webgl' | 'cpu';

export type ToWorker =
  /** Train the experiment `text`; `files` are the user's data files by name (CSV, IDX). */
  | {
      readonly type: 'run';
      readonly text: string;
      readonly files: Readonly<Record<string, Uint8Array>>;
      readonly backend: TrainingBackend;
    }
  | { readonly type: 'stop' }
  | { readonly type: 'continue' }
  | { readonly type: 'download' };

export interface Boundary {
  readonly arm: string;
  readonly seed: number;
  readonly epoch: number;
  /** Grid cells per side; `classes[i * size + j]` is the predicted class at row i (y), column j (x). */
  readonly size: number;
  readonly extent: readonly [number, number, number, number];
  readonly classes: Uint8Array;
  /** The training points: x, y, label. */
  readonly points: readonly (readonly [number, number, number])[];
}

export type FromWorker =
  | {
      readonly type: 'backend';
      readonly name: string;
      readonly message: string;
      /** Backends this browser offers (webgpu, webgl, wasm, cpu), whether or not training uses them. */
      readonly available: readonly string[];
    }
  | { readonly type: 'event'; readonly event: RunEvent }
  | {
      readonly type: 'architecture';
      readonly arm: string;
      readonly seed: number;
      readonly input: readonly number[];
      readonly layers: readonly Layer[];
      /** Index in `layers` of the layer the last insertion added. */
      readonly inserted?: number;
    }
  | ({ readonly type: 'boundary' } & Boundary)
  | { readonly type: 'diagnostics'; readonly messages: readonly string[] }
  | { readonly type: 'ended'; readonly outcome: 'finished' | 'interrupted' | 'failed'; readonly message: string }
  | { readonly type: 'files'; readonly files: readonly (readonly [string, Uint8Array])[] };
