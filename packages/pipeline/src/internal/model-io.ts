/**
 * A tfl.LayersModel as files in the TensorFlow.js layers format (`model.json` with the topology and the
 * weights manifest, `weights.bin` with the weights), written and read with node:fs through IO handlers,
 * so no tfjs-node file system is needed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const WEIGHTS_FILE = 'weights.bin';

/** Save `model` into `dir` (created if missing) as model.json + weights.bin. */
export const saveLayersModel = async (model: tfl.LayersModel, dir: string): Promise<void> => {
  await mkdir(dir, { recursive: true });
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
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
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

/**
 * An IO handler that loads a model saved by Sprout (or any layers-format model.json with its weight
 * files next to it) from a directory: `tfl.loadLayersModel(modelFiles(dir))`.
 */
export const modelFiles = (dir: string): tf.io.IOHandler => ({
  load: async () => {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const specs = manifest.flatMap((group) => group.weights);
      const buffers = await Promise.all(
        manifest
          .flatMap((group) => group.paths)
          .map(async (p) => {
            const b = await readFile(join(dir, p));
            return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
          }),
      );
      return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
    });
  },
});
