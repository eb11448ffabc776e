/** The errors of @sprout/inner-product, as values (tagged union). */
export type InnerProductError =
  /** A Gram matrix built from data is not positive definite (Cholesky failed); raise the damping ε. */
  | { readonly _tag: 'not-positive-definite'; readonly side: 'domain' | 'codomain'; readonly message: string }
  /** A metric or shape that cannot define an inner product (c ≤ 0, ε < 0, a non-integer width, …). */
  | { readonly _tag: 'invalid-metric'; readonly message: string };
