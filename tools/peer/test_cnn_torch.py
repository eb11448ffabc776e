#!/usr/bin/env python3
"""Checks of cnn_torch.py: run with  /usr/bin/python3 tools/peer/test_cnn_torch.py  (needs python3-torch)."""
import os, sys, tempfile, unittest
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_torch as c


class CnnPeer(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.mods, self.convs, self.channels = c.make_net('mnist-small')
        self.x = torch.rand(5, 1, 28, 28)

    def test_shapes(self):
        net = c.assemble(self.mods, self.convs)
        self.assertEqual(tuple(net(self.x).shape), (5, 10))
        self.assertEqual(sum(q.numel() for q in net.parameters()), 80 + 1168 + 7850)

    def test_vgg_small_shapes(self):
        mods, convs, channels = c.make_net('vgg-small')
        net = c.assemble(mods, convs)
        self.assertEqual(channels, [32, 32, 64, 64, 128])
        self.assertEqual(tuple(net(torch.rand(2, 3, 32, 32)).shape), (2, 10))
        convs_params = (27 * 32 + 32) + (288 * 32 + 32) + (288 * 64 + 64) + (576 * 64 + 64) + (576 * 128 + 128)
        self.assertEqual(sum(q.numel() for q in net.parameters()), convs_params + 2048 * 256 + 256 + 2570)

    def test_virtual_layers_are_identities(self):
        # ReLU(conv_id(h)) = h for h >= 0: inserting at any position leaves the function unchanged.
        for name, x in (('mnist-small', self.x), ('vgg-small', torch.rand(2, 3, 32, 32))):
            mods, convs, channels = c.make_net(name)
            base = c.assemble(mods, convs)(x)
            for k, ch in enumerate(channels):
                v, w = c.virtual_layer(ch)
                self.assertEqual(float(w[:, :, 1, 1].sum()), ch)
                out = c.assemble(mods, convs, (k, v))(x)
                self.assertTrue(torch.allclose(out, base, atol=1e-5))

    def test_sensitivity_is_epoch_averaged_gradient_norm(self):
        # One batch: s = ||dJ/dW||_F^2 / numel, compared with a direct autograd computation.
        y = torch.tensor([0, 1, 2, 3, 4])
        gen = torch.Generator().manual_seed(1)
        scores, _ = c.sensitivities(self.mods, self.convs, self.channels, (self.x, y), 100, gen, 'fro_numel')
        v, w = c.virtual_layer(8)
        net = c.assemble(self.mods, self.convs, (0, v))
        (g,) = torch.autograd.grad(torch.nn.CrossEntropyLoss()(net(self.x), y), [w])
        self.assertAlmostEqual(scores[0], float((g ** 2).sum()) / g.numel(), places=12)

    def test_cifar_reader_layout_and_normalisation(self):
        # Two records: label, then the R, G and B planes; the reader gives N x 3 x 32 x 32, (p/255 - mean) / std.
        with tempfile.TemporaryDirectory() as d:
            recs = bytearray()
            for label, (r, g, b) in ((3, (0, 128, 255)), (7, (10, 20, 30))):
                recs += bytes([label]) + bytes([r]) * 1024 + bytes([g]) * 1024 + bytes([b]) * 1024
            recs_r = bytearray(recs)
            recs_r[1 + 5] = 200  # pixel (0, 5) of the red plane of image 0
            for k in range(1, 6):
                open(os.path.join(d, 'data_batch_%d.bin' % k), 'wb').write(recs_r if k == 1 else b'')
            open(os.path.join(d, 'test_batch.bin'), 'wb').write(recs)
            (x, y), (xt, yt) = c.cifar10(d, train_limit=2, test_limit=1)
        self.assertEqual(tuple(x.shape), (2, 3, 32, 32))
        self.assertEqual(y.tolist(), [3, 7])
        self.assertEqual(tuple(xt.shape), (1, 3, 32, 32))
        expect = lambda p, ch: (p / 255 - c.CIFAR_MEAN[ch]) / c.CIFAR_STD[ch]
        self.assertAlmostEqual(float(x[0, 0, 0, 5]), expect(200, 0), places=5)
        self.assertAlmostEqual(float(x[0, 2, 31, 31]), expect(255, 2), places=5)
        self.assertAlmostEqual(float(x[1, 1, 3, 3]), expect(20, 1), places=5)


if __name__ == '__main__':
    unittest.main()
