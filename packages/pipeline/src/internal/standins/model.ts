/**
 * STAND-IN for @sprout/model until it lands: dense-only networks with seeded Glorot-uniform
 * initialisation, a plain forward pass and conversion to a tf.LayersModel. Replaced by the real package.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Layer, Network } from '@sprout/spec';
import type { Net, Param } from '@sprout/model';

const activate = (x: tf.Tensor, a: Activation): tf.Tensor => {
  switch (a) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'linear':
      return x;
    case 'softmax':
      return tf.softmax(x);
  }
};

export const createNet = (network: Network, options: { readonly seed: number }): Net => {
  const layers: Layer[] = [
    ...network.layers,
    { _tag: 'dense', units: network.output.units, activation: network.output.activation, bias: true },
  ];
  const params: Param[] = [];
  let width = network.input.reduce((a, b) => a * b, 1);
  layers.forEach((layer, i) => {
    if (layer._tag !== 'dense') return;
    const limit = Math.sqrt(6 / (width + layer.units));
    params.push({
      name: `${i}.kernel`,
      path: [i],
      role: 'kernel',
      variable: tf.variable(tf.randomUniform([width, layer.units], -limit, limit, 'float32', options.seed * 1000 + i), true),
    });
    if (layer.bias) params.push({ name: `${i}.bias`, path: [i], role: 'bias', variable: tf.variable(tf.zeros([layer.units]), true) });
    width = layer.units;
  });
  return { input: network.input, layers, params, state: [] };
};

export const forward = (net: Net, x: tf.Tensor, options: { readonly training: boolean; readonly seed?: number }): tf.Tensor => {
  let h = x;
  net.layers.forEach((layer, i) => {
    if (layer._tag === 'dense') {
      const k = net.params.find((p) => p.name === `${i}.kernel`)!.variable;
      const b = net.params.find((p) => p.name === `${i}.bias`)?.variable;
      h = activate(b ? tf.add(tf.matMul(h, k), b) : tf.matMul(h, k), layer.activation);
    } else if (layer._tag === 'dropout') {
      if (options.training && layer.rate > 0) h = tf.dropout(h, layer.rate, undefined, (options.seed ?? 0) * 7919 + i);
    } else if (layer._tag === 'flatten') {
      h = tf.reshape(h, [h.shape[0]!, -1]);
    } else {
      throw new Error(`stand-in model: layer ${layer._tag} not supported`);
    }
  });
  return h;
};

export const parameterCount = (net: Net): number => net.params.reduce((s, p) => s + p.variable.size, 0);

export const disposeNet = (net: Net): void => {
  for (const p of [...net.params, ...net.state]) p.variable.dispose();
};

export const toLayersModel = (net: Net): tf.LayersModel => {
  const model = tf.sequential();
  let first = true;
  net.layers.forEach((layer, i) => {
    if (layer._tag !== 'dense') return;
    const k = net.params.find((p) => p.name === `${i}.kernel`)!.variable;
    const b = net.params.find((p) => p.name === `${i}.bias`)?.variable;
    const l = tf.layers.dense({
      units: layer.units,
      activation: layer.activation === 'gelu' ? 'linear' : layer.activation,
      useBias: layer.bias,
      ...(first ? { inputShape: [...net.input] } : {}),
    });
    model.add(l);
    l.setWeights(b ? [k, b] : [k]);
    first = false;
  });
  return model;
};
