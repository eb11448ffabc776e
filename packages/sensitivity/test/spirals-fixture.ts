// The fixed two-spirals training set of the sensitivity scripts (bench/cost.ts, peer/export.ts): 2 × 300
// points (ALGORITHMS.md §3), 75 % for training = 450, taken by a fixed permutation (397 is coprime to 600),
// so Sprout and the PyTorch peer see the same examples.
const N = 300;
export const TRAIN = 450;

/** Row-major inputs [TRAIN × 2] and integer labels [TRAIN]. */
export function spiralsTrainingSet(): { readonly x: number[]; readonly y: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [label, s] of [
    [0, -1],
    [1, 1],
  ] as const) {
    for (let i = 0; i < N; i++) {
      const phi = (2 * Math.PI * i) / N;
      const r = 0.5 + i / N;
      xs.push(s * r * Math.cos(phi), s * r * Math.sin(phi));
      ys.push(label);
    }
  }
  const perm = Array.from({ length: 2 * N }, (_, i) => (i * 397) % (2 * N)).slice(0, TRAIN);
  return { x: perm.flatMap((k) => [xs[2 * k]!, xs[2 * k + 1]!]), y: perm.map((k) => ys[k]!) };
}
