"""Loads Sprout's weights into the PyTorch peer's nets and compares the peer's sensitivities with Sprout's.
Run: /usr/bin/python3 packages/sensitivity/test/peer/compare.py /tmp/sprout-peer.json /work/shared/peer"""
import json, sys
import torch
sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else '/work/shared/peer')
import sensli_torch as peer

d = json.load(open(sys.argv[1] if len(sys.argv) > 1 else '/tmp/sprout-peer.json'))
x = torch.tensor(d['x'], dtype=torch.float32).reshape(-1, 2)
y = torch.tensor(d['y'], dtype=torch.long)

def kernel(w):  # tfjs in×out -> torch out×in
    return torch.tensor(w['values'], dtype=torch.float32).reshape(w['shape']).t()

def bias(w):
    return torch.tensor(w['values'], dtype=torch.float32)

for key, arch, widths in (('fnn', 'fnn', [5]), ('fnn2', 'fnn', [5, 5]), ('resnet', 'resnet', [3, 3])):
    e = d[key]
    w = e['weights']
    net = peer.make_net(arch, 2, widths, 2)
    mods = list(net)
    with torch.no_grad():
        if arch == 'fnn':
            for k in range(len(widths) + 1):
                mods[2 * k].weight.copy_(kernel(w[f'{k}.kernel'])); mods[2 * k].bias.copy_(bias(w[f'{k}.bias']))
        else:
            mods[0].weight.copy_(kernel(w['0.kernel'])); mods[0].bias.copy_(bias(w['0.bias']))
            mods[2].l1.weight.copy_(kernel(w['1.body.0.kernel'])); mods[2].l1.bias.copy_(bias(w['1.body.0.bias']))
            mods[2].l2.weight.copy_(kernel(w['1.body.1.kernel']))
            mods[3].weight.copy_(kernel(w['2.kernel'])); mods[3].bias.copy_(bias(w['2.bias']))
    gen = torch.Generator().manual_seed(0)
    scores, *_ = peer.sensitivities(arch, net, (x, y), len(y), gen)
    rel = [abs(a - b) / max(abs(b), 1e-30) for a, b in zip(e['scores'], scores)]
    print(json.dumps({'arch': key, 'positions': e['positions'], 'sprout': e['scores'], 'peer': scores,
                      'max_relative_difference': max(rel),
                      'same_argmax': e['scores'].index(max(e['scores'])) == scores.index(max(scores))}))
