/**
 * What one fuzz input is run through: every public entry a file or a string reaches on its way from text
 * to diagnostics. For bytes: strict UTF-8 decoding (`decodeText`) and `checkBytes`; for the text: `checkText`
 * (lexer, brace guard, parser, CST → AST → spec, the spec's `check`), `parseExperiment`, the formatter
 * (`sprout fmt`) and the renderer of every diagnostic list (what `sprout check` prints). On top of "no
 * throw", three oracles hold for every input: a valid file's spec prints to text that checks to the same
 * spec; formatting is idempotent (and format's own safety net, `format-failed`, never fires); formatting
 * does not change the spec a file parses to.
 */
import * as E from 'fp-ts/lib/Either.js';
import { checkBytes, checkText, decodeText, format, parseExperiment, print, renderDiagnostics } from '@sprout/dsl';
import type { Diagnostic, Experiment } from '@sprout/spec';
import type { FuzzInput } from './fuzz-mutate.js';

const FILE = 'fuzz.sprout';

/** An oracle that does not hold: a finding, like a throw, but the entry points returned normally. */
export class OracleViolation extends Error {
  override readonly name = 'OracleViolation';
}

export interface TargetResult {
  /** Whether `checkText` (or `checkBytes`) accepted the input. */
  readonly valid: boolean;
  /** Codes of the diagnostics `checkText`/`checkBytes` returned. */
  readonly codes: readonly string[];
}

/**
 * Where a run of the target is: the entry point running (for the report of a throw that escapes), and the
 * time each entry point took.
 */
export interface Progress {
  stage: string;
  /** Entry point → milliseconds of its slowest call on this input (see `clock`). */
  readonly times: Record<string, number>;
  /** The clock in milliseconds. @default the process's CPU time (user + system) */
  readonly clock?: () => number;
}

/**
 * CPU time of the process in milliseconds. The fuzz limits are on CPU time, not wall time, because the
 * machines it runs on are shared: on a machine with ten runnable processes per core, wall time says more
 * about the neighbours than about the parser.
 */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export const newProgress = (clock?: () => number): Progress => ({
  stage: '',
  times: {},
  ...(clock === undefined ? {} : { clock }),
});

/** Runs one entry point under `stage`, recording its time. */
const timed = <T>(progress: Progress, stage: string, f: () => T): T => {
  progress.stage = stage;
  const clock = progress.clock ?? cpuMs;
  const t0 = clock();
  const r = f();
  const ms = clock() - t0;
  const key = stage.replace(/\(.*$/, '');
  progress.times[key] = Math.max(progress.times[key] ?? 0, ms);
  return r;
};

const same = (a: Experiment, b: Experiment): boolean => JSON.stringify(a) === JSON.stringify(b);

const render = (ds: readonly Diagnostic[], text: string): void => {
  if (renderDiagnostics(ds, FILE, text).length === 0 && ds.length > 0)
    throw new OracleViolation('renderDiagnostics returned nothing for a non-empty list');
};

/**
 * The `format-failed` diagnostic among `ds`, if format's safety net refused its own result: one that would
 * not parse or is not idempotent, a formatter bug the idempotence oracle would otherwise have caught, so a
 * finding. The one documented exception is a file near MAX_TOKENS, whose formatted text (the commas written
 * between entries of `{ … }` blocks) is over the token limit (`too-many-tokens`).
 */
export const safetyNetFired = (ds: readonly Diagnostic[]): Diagnostic | undefined =>
  ds.find((d) => d.code === 'format-failed' && !d.message.includes('(too-many-tokens)'));

/** `checked`: the result of `checkBytes` when the text came from bytes (it ran `checkText` already). */
const runText = (text: string, progress: Progress, checkedBytes?: ReturnType<typeof checkText>): TargetResult => {
  const checked = checkedBytes ?? timed(progress, 'checkText', () => checkText(text, FILE));
  if (E.isLeft(checked)) timed(progress, 'renderDiagnostics(checkText)', () => render(checked.left, text));

  const parsed = timed(progress, 'parseExperiment', () => parseExperiment(text, FILE));
  if (E.isLeft(parsed)) timed(progress, 'renderDiagnostics(parseExperiment)', () => render(parsed.left, text));

  const formatted = timed(progress, 'format', () => format(text));
  if (E.isLeft(formatted)) {
    const net = safetyNetFired(formatted.left);
    if (net !== undefined) throw new OracleViolation(`format safety net fired: ${net.message}`);
    timed(progress, 'renderDiagnostics(format)', () => render(formatted.left, text));
  } else {
    const again = timed(progress, 'format(format)', () => format(formatted.right));
    if (E.isLeft(again))
      throw new OracleViolation(`formatted text no longer formats: ${again.left[0]?.code}: ${again.left[0]?.message}`);
    if (again.right !== formatted.right) throw new OracleViolation('format is not idempotent');
    if (E.isRight(parsed)) {
      const reparsed = timed(progress, 'parseExperiment(format)', () => parseExperiment(formatted.right, FILE));
      if (E.isLeft(reparsed))
        throw new OracleViolation(
          `formatted text no longer parses: ${reparsed.left[0]?.code}: ${reparsed.left[0]?.message}`,
        );
      if (!same(parsed.right.spec, reparsed.right.spec)) throw new OracleViolation('formatting changed the spec');
    }
  }

  if (E.isRight(checked)) {
    const printed = timed(progress, 'print', () => print(checked.right.spec));
    const again = timed(progress, 'checkText(print)', () => checkText(printed, FILE));
    if (E.isLeft(again))
      throw new OracleViolation(`the printed spec does not check: ${again.left[0]?.code}: ${again.left[0]?.message}`);
    if (!same(checked.right.spec, again.right.spec)) throw new OracleViolation('print then parse changed the spec');
  }
  return { valid: E.isRight(checked), codes: E.isLeft(checked) ? checked.left.map((d) => d.code) : [] };
};

/** Runs one input through every entry point; throws what they throw, or an `OracleViolation`. */
export const runTarget = (input: FuzzInput, progress: Progress = newProgress()): TargetResult => {
  if ('text' in input) return runText(input.text, progress);
  const decoded = timed(progress, 'decodeText', () => decodeText(input.bytes));
  const checked = timed(progress, 'checkBytes', () => checkBytes(input.bytes, FILE));
  if (E.isLeft(decoded)) {
    timed(progress, 'renderDiagnostics(decodeText)', () => render(decoded.left, ''));
    if (E.isRight(checked)) throw new OracleViolation('checkBytes accepted bytes that decodeText rejects');
    return { valid: false, codes: checked.left.map((d) => d.code) };
  }
  return runText(decoded.right, progress, checked);
};
