/**
 * Loading a model saved by Sprout from a directory on disk (Node); saving goes through the host's files
 * (model-io.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

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
