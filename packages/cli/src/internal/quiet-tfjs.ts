/**
 * TensorFlow.js's own console notes, off for the command: its "Hi, looks like you are running TensorFlow.js
 * in Node.js" banner points at @tensorflow/tfjs-node, whose install cannot fetch its library on most
 * machines; Sprout says itself what it runs on (and how to get the fast path). Production mode also skips
 * tfjs's debug-only checks, none of which the command turns on.
 */
import { enableProdMode } from '@tensorflow/tfjs-core';

export const quietTensorFlow = (): void => enableProdMode();
