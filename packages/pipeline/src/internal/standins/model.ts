/**
 * STAND-IN for @sprout/model's `toLayersModel` until it lands: a tf.Sequential of the net's dense layers
 * and dropout/flatten layers (others are not supported and throw). Replaced by the real package.
 */
import * as tf from '@tensorflow/tfjs';
import type { Net } from '@sprout/model';

export const toLayersModel = (net: Net): tf.LayersModel => {
  const model = tf.sequential();
  let first = true;
  net.layers.forEach((layer, i) => {
    const inputShape = first ? { inputShape: [...net.input] } : {};
    if (layer._tag === 'dropout' || layer._tag === 'flatten') {
      model.add(layer._tag === 'dropout' ? tf.layers.dropout({ rate: layer.rate, ...inputShape }) : tf.layers.flatten(inputShape));
      first = false;
      return;
    }
    if (layer._tag !== 'dense') throw new Error(`toLayersModel (stand-in): layer '${layer._tag}' is not supported yet`);
    const k = net.params.find((p) => p.name === `${i}.kernel`)!.variable;
    const b = net.params.find((p) => p.name === `${i}.bias`)?.variable;
    const l = tf.layers.dense({
      units: layer.units,
      activation: layer.activation,
      useBias: layer.bias,
      ...inputShape,
    });
    model.add(l);
    l.setWeights(b ? [k, b] : [k]);
    first = false;
  });
  return model;
};
