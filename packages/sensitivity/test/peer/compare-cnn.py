"""Loads Sprout's small MNIST CNN (export-cnn.ts) into the PyTorch peer of the speed bench and compares the
peer's sensitivities (one full-batch pass, fro_numel) with Sprout's.
Run: /usr/bin/python3 packages/sensitivity/test/peer/compare-cnn.py /tmp/sprout-peer-cnn.json tools/peer"""
import json, sys
import torch
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else 'tools/peer')
import cnn_torch as peer

d = json.load(open(sys.argv[1] if len(sys.argv) > 1 else '/tmp/sprout-peer-cnn.json'))
x = torch.tensor(d['x'], dtype=torch.float32).reshape(-1, 1, 28, 28)  # NHWC with C = 1 is NCHW
y = torch.tensor(d['y'], dtype=torch.long)
w = d['weights']

def t(name):
    return torch.tensor(w[name]['values'], dtype=torch.float32).reshape(w[name]['shape'])

units, pools, tail = peer.make_net((8, 16))
with torch.no_grad():
    for k, key in ((0, '0'), (1, '2')):
        units[k][0].weight.copy_(t(f'{key}.kernel').permute(3, 2, 0, 1))  # HWIO -> OIHW
        units[k][0].bias.copy_(t(f'{key}.bias'))
    # tfjs flattens NHWC (h, w, c), PyTorch NCHW (c, h, w): reorder the dense kernel's rows.
    dense = t('5.kernel').reshape(7, 7, 16, 10).permute(2, 0, 1, 3).reshape(784, 10)
    tail[1].weight.copy_(dense.t())
    tail[1].bias.copy_(t('5.bias'))
gen = torch.Generator().manual_seed(0)
scores, _ = peer.sensitivities(units, pools, tail, (8, 16), (x, y), len(y), gen, 'fro_numel')
rel = [abs(a - b) / max(abs(b), 1e-30) for a, b in zip(d['scores'], scores)]
print(json.dumps({'backend': d['backend'], 'native': d['native'], 'positions': d['positions'], 'sprout': d['scores'],
                  'peer': scores, 'max_relative_difference': max(rel),
                  'same_argmax': d['scores'].index(max(d['scores'])) == scores.index(max(scores))}))
