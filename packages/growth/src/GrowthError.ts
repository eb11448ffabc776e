/** The errors @sprout/growth returns as values. */
export type GrowthError =
  | {
      /** The layers match none of the architectures of `detectArchitecture`. */
      readonly _tag: 'unsupported-architecture';
      readonly message: string;
    }
  | {
      /** The architecture has no place for a layer (e.g. an FNN without hidden layers). */
      readonly _tag: 'no-positions';
      readonly message: string;
    }
  | {
      readonly _tag: 'position-out-of-range';
      readonly position: number;
      readonly count: number;
      readonly message: string;
    }
  | { readonly _tag: 'invalid-network'; readonly message: string };
