#!/usr/bin/env python3
"""Checks of cnn_torch.py: run with  /usr/bin/python3 tools/peer/test_cnn_torch.py  (needs python3-torch)."""
import os, sys, unittest
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_torch as c


class CnnPeer(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.units, self.pools, self.tail = c.make_net()
        self.x = torch.rand(5, 1, 28, 28)

    def test_shapes(self):
        net = c.assemble(self.units, self.pools, self.tail)
        self.assertEqual(tuple(net(self.x).shape), (5, 10))
        self.assertEqual(sum(q.numel() for q in net.parameters()), 80 + 1168 + 7850)

    def test_virtual_layers_are_identities(self):
        # ReLU(conv_id(h)) = h for h >= 0: inserting at either position leaves the function unchanged.
        base = c.assemble(self.units, self.pools, self.tail)(self.x)
        for k, ch in enumerate((8, 16)):
            v, w = c.virtual_layer(ch)
            self.assertEqual(float(w[:, :, 1, 1].sum()), ch)
            out = c.assemble(self.units, self.pools, self.tail, (k, v))(self.x)
            self.assertTrue(torch.allclose(out, base, atol=1e-6))

    def test_sensitivity_is_epoch_averaged_gradient_norm(self):
        # One batch: s = ||dJ/dW||_F^2 / numel, compared with a direct autograd computation.
        y = torch.tensor([0, 1, 2, 3, 4])
        gen = torch.Generator().manual_seed(1)
        scores, _ = c.sensitivities(self.units, self.pools, self.tail, (8, 16), (self.x, y), 100, gen, 'fro_numel')
        v, w = c.virtual_layer(8)
        net = c.assemble(self.units, self.pools, self.tail, (0, v))
        (g,) = torch.autograd.grad(torch.nn.CrossEntropyLoss()(net(self.x), y), [w])
        self.assertAlmostEqual(scores[0], float((g ** 2).sum()) / g.numel(), places=12)


if __name__ == '__main__':
    unittest.main()
