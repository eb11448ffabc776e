/**
 * STAND-IN for @sprout/model's `toLayersModel` until it lands: a tf.Sequential of the net's dense layers
 * (other layers are not supported and throw). Replaced by the real package.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '@sprout/model';

export const toLayersModel = (net: Net): tf.LayersModel => {
  const model = tf.sequential();
  let first = true;
  net.layers.forEach((layer, i) => {
    if (layer._tag !== 'dense') throw new Error(`toLayersModel (stand-in): layer '${layer._tag}' is not supported yet`);
    const k = net.params.find((p) => p.name === `${i}.kernel`)!.variable;
    const b = net.params.find((p) => p.name === `${i}.bias`)?.variable;
    const l = tf.layers.dense({
      units: layer.units,
      activation: layer.activation,
      useBias: layer.bias,
      ...(first ? { inputShape: [...net.input] } : {}),
    });
    model.add(l);
    l.setWeights(b ? [k, b] : [k]);
    first = false;
  });
  return model;
};
