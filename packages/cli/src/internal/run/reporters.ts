/**
 * How `sprout run` shows a run's events: a progress bar on a terminal (cli-progress), plain lines without
 * one (a line every tenth of a run's epochs, and its last), JSON lines with `--json`, nothing with
 * `--quiet`. A reporter is a subscriber to the pipeline's events plus a `close` for the end.
 */
import cliProgress from 'cli-progress';
import type { EpochMetrics, RunEvent, StepProgress } from '@sprout/pipeline';
import { timeLeft } from './time-left.js';

export interface RunIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The stream the progress bar draws on (a terminal). */
  readonly progressStream?: NodeJS.WritableStream;
}

export interface Reporter {
  readonly onEvent: (event: RunEvent) => void;
  /** Steps done inside a long epoch (@sprout/pipeline's `RunOptions.onProgress`). */
  readonly onProgress?: (progress: StepProgress) => void;
  readonly close: () => void;
}

const fmt = (x: number): string =>
  Number.isFinite(x) ? (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2)) : String(x);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** A sensitivity: three significant digits, in exponent form below 0.001. */
const sensitivity = (x: number): string =>
  !Number.isFinite(x) ? String(x) : x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3);

type Insertion = Extract<RunEvent, { _tag: 'insertion' }>;

/** The rule as written in the language (`select threshold 1.5`). */
const ruleText = (rule: Insertion['rule']): string => {
  switch (rule._tag) {
    case 'position':
      return `position ${rule.index}`;
    case 'threshold':
      return `threshold ${rule.tau}`;
    case 'threshold_abs':
      return `threshold_abs ${rule.bar}`;
    default:
      return rule._tag;
  }
};

/**
 * The lines of a growth attempt: what was inserted where (or that the rule declined), the parameters before
 * and after, and every candidate position's sensitivity with the chosen one marked. `who` names the run
 * when several run at once.
 */
const insertionLines = (event: Insertion, who: string): string => {
  const head = `  ${who}epoch ${event.epoch}: `;
  const chosen = event.chosen === null ? undefined : event.positions[event.chosen];
  const what =
    chosen === undefined
      ? `SensLI inserted no layer (select ${ruleText(event.rule)} declined); ${event.paramsBefore} parameters`
      : `SensLI inserted a layer at position ${chosen.index} (${chosen.description}); parameters ${event.paramsBefore} → ${event.paramsAfter}`;
  const width = Math.max(...event.positions.map((p) => `${p.index}: ${p.description}`.length));
  const rows = event.positions.map(
    (p, i) =>
      `    ${i === event.chosen ? '→' : ' '} ${`${p.index}: ${p.description}`.padEnd(width)}  ${sensitivity(p.sensitivity)}\n`,
  );
  return `${head}${what}\n    sensitivity of each position (norm ${event.norm._tag}, select ${ruleText(event.rule)}):\n${rows.join('')}`;
};

type Checkpoint = Extract<RunEvent, { _tag: 'checkpoint' }>;

const CHECKPOINT_WHY: Record<Checkpoint['reason'], string> = {
  interval: '',
  growth: ' (after the growth decision)',
  'early-stop': ' (after the early stop)',
  'last-epoch': ' (after the last epoch)',
  interrupted: ' (interrupted)',
};

/** The line of a checkpoint written: when in the run, its file in the run directory, and why then. */
const checkpointLine = (event: Checkpoint, who: string): string =>
  `  ${who}${event.step > 0 ? `epoch ${event.epoch + 1}, step ${event.step}` : `epoch ${event.epoch}`}: checkpoint written to ${event.file}${CHECKPOINT_WHY[event.reason]}\n`;

/** Least time between two lines of routine checkpoints (per interval, after the last epoch), in ms. */
export const ROUTINE_CHECKPOINT_LINE_MS = 60_000;

/**
 * Which checkpoints get a line: those after a growth decision, an early stop or an interrupt always; routine
 * ones, which come every second or so, once a minute at most (counted from the display's start and the
 * last checkpoint line), so that they reassure on a long run without burying the rest.
 */
const checkpointGate = (now: () => number): ((event: Checkpoint) => boolean) => {
  let last = now();
  return (event) => {
    const t = now();
    if ((event.reason === 'interval' || event.reason === 'last-epoch') && t - last < ROUTINE_CHECKPOINT_LINE_MS)
      return false;
    last = t;
    return true;
  };
};

/** The first line of a run: the experiment, its runs, and the backend. */
const header = (event: Extract<RunEvent, { _tag: 'started' }>): string =>
  `${event.experiment}: ${event.runs} run${event.runs === 1 ? '' : 's'} (${event.arms.join(', ')} × ${event.repeats} seed${event.repeats === 1 ? '' : 's'}) on ${event.workers ?? `the ${event.backend} backend`}`;

/** The line that starts (or resumes) one run. */
const runHeader = (event: Extract<RunEvent, { _tag: 'run-start' }>, runs: number): string =>
  `run ${event.index + 1}/${runs}: arm '${event.arm}', seed ${event.seed}, ${event.parameterCount} parameters` +
  (event.resumedAt === undefined
    ? ''
    : event.resumedAt.step > 0
      ? `, resumed in epoch ${event.resumedAt.epoch + 1} after step ${event.resumedAt.step} (${event.epochs} epochs)`
      : `, resumed after epoch ${event.resumedAt.epoch} (${event.epochs} epochs)`);

/** JSON lines: every event as one line on stdout. */
export const jsonReporter = (io: RunIo): Reporter => ({
  onEvent: (event) => io.out(`${JSON.stringify(event)}\n`),
  close: () => {},
});

export const quietReporter = (io: RunIo): Reporter => ({
  onEvent: (event) => {
    if (event._tag === 'warning') io.err(`warning: ${event.message}\n`);
  },
  close: () => {},
});

/**
 * Plain lines for logs and pipes: about ten epoch lines per run, its last epoch always. `now` (ms) paces
 * the lines of routine checkpoints.
 */
export const lineReporter = (io: RunIo, now: () => number = () => performance.now()): Reporter => {
  const showCheckpoint = checkpointGate(now);
  let runs = 1;
  let epochs = 0;
  // Per run (arm, seed): its epochs, the epoch from which the next line is due, and the last epoch shown.
  const progress = new Map<string, { total: number; next: number; shown: number }>();
  // Per run, the line saying it stopped early, printed after its last epoch's line.
  const stops = new Map<string, string>();
  // With runs in parallel (sprout run --jobs), lines of another run than the last started say whose they are.
  let current = '';
  const of = (key: string, total: number) =>
    progress.get(key) ?? progress.set(key, { total, next: Math.max(1, Math.floor(total / 10)), shown: 0 }).get(key)!;
  const epochLine = (arm: string, seed: number, m: EpochMetrics, total: number): string =>
    `  ${`${arm}/${seed}` === current ? '' : `[${arm} #${seed}] `}epoch ${m.epoch}/${total}  train loss ${fmt(m.trainLoss)}${m.validationLoss === undefined ? '' : `  validation loss ${fmt(m.validationLoss)}  validation error ${pct(m.validationError ?? Number.NaN)}`}  test loss ${fmt(m.testLoss)}  test error ${pct(m.testError)}  ${m.seconds.toFixed(1)}s\n`;
  const stopLine = (event: Extract<RunEvent, { _tag: 'early-stop' }>): string =>
    `  ${`${event.arm}/${event.seed}` === current ? '' : `[${event.arm} #${event.seed}] `}epoch ${event.epoch}: stopped early, ${event.monitor} not better than ${fmt(event.best)} (epoch ${event.bestEpoch}) for ${event.patience} epochs\n`;
  return {
    onEvent: (event) => {
      switch (event._tag) {
        case 'started':
          runs = event.runs;
          epochs = event.epochs;
          io.out(`${header(event)}\n`);
          break;
        case 'run-start': {
          progress.delete(`${event.arm}/${event.seed}`);
          const p = of(`${event.arm}/${event.seed}`, event.epochs);
          // A resumed run: lines at the epochs an uninterrupted run shows, after the one it resumes from.
          if (event.resumedAt !== undefined) {
            p.shown = event.resumedAt.epoch;
            const every = Math.max(1, Math.floor(event.epochs / 10));
            p.next = (Math.floor(event.resumedAt.epoch / every) + 1) * every;
          }
          current = `${event.arm}/${event.seed}`;
          io.out(`${runHeader(event, runs)}\n`);
          break;
        }
        case 'epoch-end': {
          // Epochs of a study's worker between two progress messages come without metrics (NaN): the line
          // waits for the next epoch that has them.
          if (!Number.isFinite(event.trainLoss)) break;
          const p = of(`${event.arm}/${event.seed}`, epochs);
          if (event.epoch < p.next && event.epoch !== p.total) break;
          const every = Math.max(1, Math.floor(p.total / 10));
          p.next = (Math.floor(event.epoch / every) + 1) * every;
          p.shown = event.epoch;
          io.out(epochLine(event.arm, event.seed, event, p.total));
          break;
        }
        case 'run-end': {
          // The last epoch, when the line for it did not come (a study's throttled progress).
          const p = of(`${event.arm}/${event.seed}`, epochs);
          if (p.shown < event.final.epoch) io.out(epochLine(event.arm, event.seed, event.final, p.total));
          progress.delete(`${event.arm}/${event.seed}`);
          // Why the run ended early, after its last epoch's line.
          const stopped = stops.get(`${event.arm}/${event.seed}`);
          if (stopped !== undefined) io.out(stopped);
          stops.delete(`${event.arm}/${event.seed}`);
          break;
        }
        case 'insertion':
          io.out(insertionLines(event, runs > 1 ? `[${event.arm} #${event.seed}] ` : ''));
          break;
        case 'checkpoint': {
          if (!showCheckpoint(event)) break;
          const key = `${event.arm}/${event.seed}`;
          const line = checkpointLine(event, runs > 1 ? `[${event.arm} #${event.seed}] ` : '');
          // After an early stop, with the stop's line (which waits for the run's last epoch line).
          if (event.reason === 'early-stop' && stops.has(key)) stops.set(key, `${stops.get(key)!}${line}`);
          else io.out(line);
          break;
        }
        case 'early-stop': {
          // The stopping epoch is the run's last: its line comes with run-end, then this one.
          const p = of(`${event.arm}/${event.seed}`, epochs);
          p.total = event.epoch;
          stops.set(`${event.arm}/${event.seed}`, stopLine(event));
          break;
        }
        case 'warning':
          io.err(`warning: ${event.message}\n`);
          break;
        default:
          break;
      }
    },
    close: () => {},
  };
};

/**
 * A progress bar over all epochs of all runs (experiment, arm and seed, epoch, the batches of a long epoch
 * with examples per second, loss, time left), with the lines worth keeping (run headers, insertions,
 * checkpoints, warnings) printed above it: they stay in the terminal's scrollback while the bar moves on
 * below them. `now` (ms) paces the lines of routine checkpoints.
 */
export const barReporter = (io: RunIo, now: () => number = () => performance.now()): Reporter => {
  const showCheckpoint = checkpointGate(now);
  const bars = new cliProgress.MultiBar(
    {
      format: '{experiment} {run} |{bar}| epoch {epoch}{batch} | loss {loss} | test error {error} | {left} left',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 8,
      ...(io.progressStream !== undefined ? { stream: io.progressStream } : {}),
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  let runs = 1;
  let epochs = 0;
  let total = 0;
  // Each run's label and epochs (several run at once with --jobs): an epoch is shown with the run it belongs to.
  const runInfo = new Map<string, { readonly run: string; readonly epochs: number }>();
  const infoOf = (key: string) => runInfo.get(key) ?? { run: '', epochs };
  // Each run's last epoch metrics: the bar shows the loss and test error of the run it names.
  const metrics = new Map<string, { readonly loss: string; readonly error: string }>();
  const metricsOf = (key: string) => metrics.get(key) ?? { loss: '-', error: '-' };
  // Time left from the mean pace since training began (the first run's start, after any epochs done before a
  // resume). cli-progress's own estimate, over its last 50 updates, read 0 s when a study's worker reported a
  // burst of epochs at once.
  let paceFrom: { readonly t: number; readonly position: number } | undefined;
  // Per run in flight (`arm/seed`; several with --jobs): the fraction of its epoch under way done, which the
  // bar adds to the epochs done.
  const partial = new Map<string, number>();
  const position = (): number => done + [...partial.values()].reduce((a, b) => a + b, 0);
  const left = (): string => {
    const at = position();
    if (paceFrom === undefined || at <= paceFrom.position) return '?';
    return timeLeft((((total - at) / (at - paceFrom.position)) * (performance.now() - paceFrom.t)) / 1000);
  };
  // Above the bar once it is drawn (cli-progress redraws it below), else as plain lines.
  const log = (text: string): void => {
    if (bar === undefined) io.err(text);
    else bars.log(text);
  };
  return {
    onEvent: (event) => {
      switch (event._tag) {
        case 'started':
          runs = event.runs;
          total = event.totalEpochs;
          log(`${header(event)}\n`);
          bar = bars.create(event.totalEpochs, 0, {
            experiment: event.experiment,
            left: '?',
            run: '',
            epoch: '-',
            batch: '',
            loss: '-',
            error: '-',
          });
          break;
        case 'run-start': {
          epochs = event.epochs;
          done += event.resumedAt?.epoch ?? 0;
          paceFrom ??= { t: performance.now(), position: position() };
          const key = `${event.arm}/${event.seed}`;
          partial.delete(key);
          const run = `[${event.index + 1}/${runs} ${event.arm} #${event.seed}]`;
          runInfo.set(key, { run, epochs: event.epochs });
          if (event.resumedAt !== undefined) log(`${runHeader(event, runs)}\n`);
          bar?.update(position(), {
            run,
            ...metricsOf(key),
            epoch: `${event.resumedAt?.epoch ?? 0}/${event.epochs}`,
            batch: '',
            left: left(),
          });
          break;
        }
        case 'epoch-end': {
          done += 1;
          const key = `${event.arm}/${event.seed}`;
          partial.delete(key);
          const { run, epochs: of } = infoOf(key);
          if (Number.isFinite(event.trainLoss))
            metrics.set(key, { loss: fmt(event.trainLoss), error: pct(event.testError) });
          bar?.update(position(), {
            run,
            epoch: `${event.epoch}/${of}`,
            batch: '',
            left: left(),
            ...metricsOf(key),
          });
          break;
        }
        case 'insertion':
          log(insertionLines(event, runs > 1 ? `[${event.arm} #${event.seed}] ` : ''));
          break;
        case 'checkpoint':
          if (showCheckpoint(event)) log(checkpointLine(event, runs > 1 ? `[${event.arm} #${event.seed}] ` : ''));
          break;
        case 'early-stop': {
          // The epochs the run no longer trains count as done.
          const { run, epochs: of } = infoOf(`${event.arm}/${event.seed}`);
          done += of - event.epoch;
          partial.delete(`${event.arm}/${event.seed}`);
          bar?.update(position(), {
            run,
            epoch: `${event.epoch}/${of} (stopped)`,
            left: left(),
            ...metricsOf(`${event.arm}/${event.seed}`),
          });
          log(
            `${runs > 1 ? `[${event.arm} #${event.seed}] ` : ''}epoch ${event.epoch}: stopped early, ${event.monitor} not better than ${fmt(event.best)} (epoch ${event.bestEpoch}) for ${event.patience} epochs\n`,
          );
          break;
        }
        case 'warning':
          log(`warning: ${event.message}\n`);
          break;
        default:
          break;
      }
    },
    onProgress: (p) => {
      const key = `${p.arm}/${p.seed}`;
      // The pace as the run measured it: a study's display hears of an epoch's end and its steps late, so its
      // own clock would make it read absurdly high (or low) once per epoch.
      const rate = p.seconds > 0 ? Math.round(p.examples / p.seconds).toLocaleString('en-US') : '-';
      partial.set(key, p.step / p.steps);
      const { run, epochs: of } = infoOf(key);
      bar?.update(position(), {
        run,
        epoch: `${p.epoch}/${of}`,
        batch: ` batch ${p.step}/${p.steps} (${rate} examples/s)`,
        left: left(),
        ...metricsOf(key),
      });
    },
    close: () => {
      if (bar === undefined) return;
      bars.update(); // prints the lines logged since the last redraw, which stop() would drop
      bars.stop();
    },
  };
};
