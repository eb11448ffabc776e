/**
 * The errors @sprout/model returns as values: a network whose shapes do not fit together, a user model with a
 * layer Sprout cannot represent, and weights that do not match a network.
 */
export type ModelError =
  | {
      readonly _tag: 'invalid-network';
      /** Index path of the offending layer (`[]` for the input). */
      readonly path: readonly number[];
      readonly message: string;
    }
  | {
      readonly _tag: 'unsupported-layer';
      /** Position of the layer in the user's model and its tfjs class name. */
      readonly index: number;
      readonly className: string;
      readonly message: string;
    }
  | { readonly _tag: 'weights-mismatch'; readonly message: string };
