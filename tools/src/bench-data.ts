// Writes the data files of the bench's cifar-vgg-small protocol: 10,000 training and 2,000 test images in the
// CIFAR-10 binary format (@sprout/data's syntheticCifar10: learnable class templates plus noise, not CIFAR-10),
// so that Sprout and the PyTorch peer read the same bytes. The same command writes the same bytes.
//
//   node --conditions=sprout-source --import tsx tools/src/bench-data.ts DIR
import { syntheticCifar10, writeCifar10 } from '@sprout/data';

const TRAIN = 10_000;
const TEST = 2_000;

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: bench-data.ts DIR');
  process.exit(2);
}
const files = await writeCifar10(dir, { train: syntheticCifar10(TRAIN, 1), test: syntheticCifar10(TEST, 2) });
console.log(
  `wrote ${TRAIN} training and ${TEST} test images in the CIFAR-10 binary format to ${dir} (${files.length} files)`,
);
