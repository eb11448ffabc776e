// A program that has not chosen a TensorFlow.js backend gets the one `sprout run` uses (`auto`); a program
// that has set one keeps it. This file must run in a process of its own (vitest's forks pool): the first
// test needs an engine that has started no backend.
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/Either';
import { describe, expect, it } from 'vitest';
import { autoBackendName } from '@sprout/backend';
import { compile } from '../src/index.js';
import { tiny } from './tiny.js';

const backendOfRun = async (): Promise<string> => {
  const p = compile(tiny());
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
  const r = await p.right.run({ write: false })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.backend;
};

describe('the default backend of a programmatic run', () => {
  it('is the CLI default (auto) when no backend was started, and is recorded in the result', async () => {
    expect(tf.engine().backendName ?? null).toBeNull();
    const auto = autoBackendName() === 'node' ? 'tensorflow' : autoBackendName();
    expect(await backendOfRun()).toBe(auto);
    expect(tf.getBackend()).toBe(auto);
  });

  it('keeps a backend the program set', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(await backendOfRun()).toBe('cpu');
  });
});
