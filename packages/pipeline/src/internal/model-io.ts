/**
 * A tfl.LayersModel as files in the TensorFlow.js layers format (`model.json` with the topology and the
 * weights manifest, `weights.bin` with the weights), written to the host's files through an IO handler,
 * so no tfjs-node file system is needed.
 */
import type { RunFiles } from '../host.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const WEIGHTS_FILE = 'weights.bin';

/** Save `model` into `dir` (created if missing) as model.json + weights.bin. */
export const saveLayersModel = async (model: tfl.LayersModel, dir: string, files: RunFiles): Promise<void> => {
  files.mkdirs(dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      files.writeAtomic(files.join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(json)), {
        durable: false,
      });
      files.writeAtomic(files.join(dir, WEIGHTS_FILE), new Uint8Array(weightData), { durable: false });
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
  );
};
