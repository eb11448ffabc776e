"""Values of the SensLI reference's `op22` sensitivity score for Sprout's op22_reference test.

The formula, as the reference computes it (sensitivity-based-LI-for-cnns/code/utils.py `max_sing_value`,
called and squared in model_selection_oo.py `_layer_metric`; input size from `calc_input_shape`):
    s = (k - 1) * stride - 2 * padding + k
    T = numpy.fft.fft2(G, (s, s), axes=[0, 1])      # G in torch layout (out, in, kh, kw)
    op22 = max(numpy.linalg.svd(T, compute_uv=False)) ** 2
Kernels are drawn with numpy's seeded generator and written in tfjs layout [kh, kw, in, out].

Run: /usr/bin/python3 tools/peer/op22_values.py > packages/sensitivity/test/fixtures/op22-reference.json
"""
import json

import numpy as np


def op22(g_torch, stride, padding):
    k = g_torch.shape[2]
    s = (k - 1) * stride - 2 * padding + k
    t = np.fft.fft2(g_torch, (s, s), axes=[0, 1])
    return float(np.max(np.linalg.svd(t, compute_uv=False))) ** 2


def main():
    rng = np.random.default_rng(16)
    cases = []
    # (kh, kw, in, out, stride, padding): 'same' 3x3 (the reference's VGG convs), wider and narrower channel
    # counts than s = 3, and a 'valid' kernel (s = 5).
    for kh, kw, n, m, stride, padding in [(3, 3, 2, 2, 1, 1), (3, 3, 4, 5, 1, 1), (3, 3, 8, 8, 1, 1), (3, 3, 3, 6, 1, 0), (1, 1, 4, 4, 1, 0)]:
        g_tfjs = rng.uniform(-1, 1, size=(kh, kw, n, m))
        g_torch = np.transpose(g_tfjs, (3, 2, 0, 1))
        cases.append({
            "shape": [kh, kw, n, m],
            "stride": stride,
            "padding": padding,
            "kernel": g_tfjs.reshape(-1).tolist(),
            "op22": op22(g_torch, stride, padding),
        })
    print(json.dumps({"generator": "tools/peer/op22_values.py", "numpy": np.__version__, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
