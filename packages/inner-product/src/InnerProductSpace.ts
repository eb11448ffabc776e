/**
 * An inner-product space as a record of functions (fp-ts typeclass style), specialised to what gradient
 * methods need: the inner product, the Riesz map that turns a Euclidean (entrywise) gradient into the
 * gradient of the chosen geometry, and the norms. `V` is the element type (a matrix, a tensor), `S` the
 * scalar type (`number` for the Float64 reference, `tf.Scalar` for TensorFlow.js).
 *
 * Source: ALGORITHMS.md §1 (arXiv 2311.15419). For a layer weight `A: X → Y` with Gram matrices `M_X`,
 * `M_Y`: `⟨A, B⟩ = tr(M_X⁻¹ Aᵀ M_Y B)`, `riesz(G) = M_Y⁻¹ G M_X`, `dualNorm2(G) = tr(Gᵀ M_Y⁻¹ G M_X)`.
 *
 * LAWS (checked by fast-check properties in test/laws.test.ts for every family and instance, up to an
 * explicit float tolerance):
 *   1. symmetry        inner(a, b) = inner(b, a)
 *   2. bilinearity     inner(add(scale(α, a), scale(β, b)), c) = α inner(a, c) + β inner(b, c)
 *   3. positivity      norm2(a) = inner(a, a) > 0 for a ≠ 0, norm2(zero) = 0
 *   4. Riesz identity  inner(riesz(G), V) = pairing(G, V) = tr(Gᵀ V) for all G, V
 *   5. consistency     dualNorm2(G) = norm2(riesz(G)) = pairing(G, riesz(G)); flat(riesz(G)) = G
 */
export interface InnerProductSpace<V, S> {
  /** `⟨a, b⟩`. */
  readonly inner: (a: V, b: V) => S;
  /** `‖a‖² = ⟨a, a⟩`. */
  readonly norm2: (a: V) => S;
  /** The Euclidean pairing of a functional with a vector: `tr(Gᵀ V)` (the sum of entrywise products). */
  readonly pairing: (g: V, v: V) => S;
  /** Riesz map: the representative `R` of the functional `G` (`⟨R, V⟩ = tr(Gᵀ V)`); here `M_Y⁻¹ G M_X`. */
  readonly riesz: (g: V) => V;
  /** Inverse Riesz map (lowering an index): `flat(R) = M_Y R M_X⁻¹`, so `flat(riesz(G)) = G`. */
  readonly flat: (r: V) => V;
  /** Squared dual norm of a functional: `‖G‖²_* = ‖riesz(G)‖² = tr(Gᵀ M_Y⁻¹ G M_X)`. */
  readonly dualNorm2: (g: V) => S;
  /** `a + b`. */
  readonly add: (a: V, b: V) => V;
  /** `α a`. */
  readonly scale: (alpha: number, a: V) => V;
}
