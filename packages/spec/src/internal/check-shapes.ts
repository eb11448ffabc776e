/**
 * Concern: shapes flow through the network. The input is a vector or an image and matches the data;
 * conv and pool layers see images, dense layers and the output see vectors; windows fit; residual bodies
 * keep their shape; the output has one unit per class; the parameter count stays under MAX_PARAMETERS.
 */
import { classCount, inputShapes } from '../defaults.js';
import type { Diagnostic } from '../Diagnostic.js';
import { MAX_PARAMETERS } from '../limits.js';
import type { Experiment } from '../Spec.js';
import { error } from './diagnostic.js';
import { flowThrough, showShape, type Flow } from './shapes.js';

const isSize = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1;

export const checkShapes = (e: Experiment): readonly Diagnostic[] => {
  const { input, layers, output } = e.network;
  const out: Diagnostic[] = [];

  if (input.length !== 1 && input.length !== 3) {
    out.push(
      error(
        'input-rank',
        `the network input must be a vector [n] or an image [height, width, channels], got ${showShape(input)}`,
        ['network', 'input'],
        {
          expected: '1 or 3 dimensions',
          actual: `${input.length} dimensions`,
        },
      ),
    );
  }
  const expectedInputs = inputShapes(e.data);
  if (
    expectedInputs !== undefined &&
    !expectedInputs.some((s) => s.length === input.length && s.every((d, i) => d === input[i]))
  ) {
    const expected = expectedInputs.map(showShape).join(' or ');
    out.push(
      error(
        'input-data-mismatch',
        `${e.data._tag} examples have shape ${expected}, but the network input is ${showShape(input)}`,
        ['network', 'input'],
        {
          expected,
          actual: showShape(input),
        },
      ),
    );
  }

  const validInput = (input.length === 1 || input.length === 3) && input.every(isSize);
  const start: Flow = { shape: validInput ? input : undefined, flattened: false, parameters: 0, diagnostics: [] };
  const flow = flowThrough(start, layers, ['network', 'layers']);
  out.push(...flow.diagnostics);

  let parameters = flow.parameters;
  if (flow.shape !== undefined && flow.shape.length !== 1) {
    out.push(
      error(
        'output-needs-flatten',
        `the output layer is dense and needs a vector, got an image ${showShape(flow.shape)}; add 'flatten' before it`,
        ['network', 'output'],
        {
          expected: 'a vector [n]',
          actual: showShape(flow.shape),
        },
      ),
    );
  } else if (flow.shape !== undefined && isSize(output.units)) {
    parameters += flow.shape[0]! * output.units + output.units;
    if (parameters > MAX_PARAMETERS)
      out.push(
        error(
          'too-many-parameters',
          `the network has ${parameters} parameters, more than the limit ${MAX_PARAMETERS}`,
          ['network'],
          {
            expected: `at most ${MAX_PARAMETERS}`,
            actual: String(parameters),
          },
        ),
      );
  }

  // Crops and flips move pixels: they need the examples as images.
  const augment = e.data.augment;
  if (augment !== undefined && input.length !== 3)
    out.push(
      error(
        'augment-needs-images',
        `augmentation (crop, flip) needs images, but the network input is ${showShape(input)}; give it as height width channels`,
        ['data', 'augment'],
        { expected: 'an input [height, width, channels]', actual: showShape(input) },
      ),
    );
  else if (augment !== undefined && input.every(isSize) && augment.crop >= Math.min(input[0]!, input[1]!))
    out.push(
      error('out-of-range', `crop padding ${augment.crop} must be smaller than the image (${input[0]}×${input[1]})`, [
        'data',
        'augment',
        'crop',
      ]),
    );

  const classes = classCount(e.data);
  if (classes !== undefined && isSize(output.units) && output.units !== classes) {
    out.push(
      error(
        'output-class-mismatch',
        `${e.data._tag} has ${classes} classes, but the output layer has ${output.units} units`,
        ['network', 'output', 'units'],
        {
          expected: String(classes),
          actual: String(output.units),
        },
      ),
    );
  }
  return out;
};
