/**
 * How `sprout run` shows a run's events: a progress bar on a terminal (cli-progress), plain lines without
 * one (a line every tenth of a run's epochs, and its last), JSON lines with `--json`, nothing with
 * `--quiet`. A reporter is a subscriber to the pipeline's events plus a `close` for the end.
 */
import cliProgress from 'cli-progress';
import type { RunEvent } from '@sprout/pipeline';

export interface RunIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The stream the progress bar draws on (a terminal). */
  readonly progressStream?: NodeJS.WritableStream;
}

export interface Reporter {
  readonly onEvent: (event: RunEvent) => void;
  readonly close: () => void;
}

const fmt = (x: number): string =>
  Number.isFinite(x) ? (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2)) : String(x);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

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

/** Plain lines for logs and pipes. */
export const lineReporter = (io: RunIo): Reporter => {
  let runs = 1;
  const epochs = new Map<string, number>();
  // With runs in parallel (sprout run --jobs), lines of another run than the last started say whose they are.
  let current = '';
  return {
    onEvent: (event) => {
      switch (event._tag) {
        case 'started':
          runs = event.runs;
          io.out(
            `${event.experiment}: ${event.runs} run${event.runs === 1 ? '' : 's'} (${event.arms.join(', ')} × ${event.repeats} seed${event.repeats === 1 ? '' : 's'})\n`,
          );
          break;
        case 'run-start':
          epochs.set(`${event.arm}/${event.seed}`, event.epochs);
          current = `${event.arm}/${event.seed}`;
          io.out(
            `run ${event.index + 1}/${runs}: arm '${event.arm}', seed ${event.seed}, ${event.parameterCount} parameters\n`,
          );
          break;
        case 'epoch-end': {
          const key = `${event.arm}/${event.seed}`;
          const total = epochs.get(key) ?? event.epoch;
          const every = Math.max(1, Math.floor(total / 10));
          if (event.epoch === total) epochs.delete(key);
          if ((event.epoch % every === 0 || event.epoch === total) && Number.isFinite(event.trainLoss))
            io.out(
              `  ${key === current ? '' : `[${event.arm} #${event.seed}] `}epoch ${event.epoch}/${total}  train loss ${fmt(event.trainLoss)}  test loss ${fmt(event.testLoss)}  test error ${pct(event.testError)}  ${event.seconds.toFixed(1)}s\n`,
            );
          break;
        }
        case 'insertion':
          io.out(
            event.chosen === null
              ? `  epoch ${event.epoch}: no insertion (rule ${event.rule._tag} declined)\n`
              : `  epoch ${event.epoch}: inserted a layer at position ${event.chosen} (${event.positions[event.chosen]?.description ?? ''}), ${event.paramsBefore} → ${event.paramsAfter} parameters\n`,
          );
          break;
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

/** A progress bar over all epochs of all runs: experiment, arm and seed, epoch, loss, time left. */
export const barReporter = (io: RunIo): Reporter => {
  const bar = new cliProgress.SingleBar(
    {
      format: '{experiment} {run} |{bar}| epoch {epoch} | loss {loss} | test error {error} | {eta_formatted} left',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 8,
      ...(io.progressStream !== undefined ? { stream: io.progressStream } : {}),
    },
    cliProgress.Presets.shades_classic,
  );
  let done = 0;
  let started = false;
  let runs = 1;
  let epochs = 0;
  let run = '';
  return {
    onEvent: (event) => {
      switch (event._tag) {
        case 'started':
          runs = event.runs;
          bar.start(event.totalEpochs, 0, { experiment: event.experiment, run: '', epoch: '-', loss: '-', error: '-' });
          started = true;
          break;
        case 'run-start':
          epochs = event.epochs;
          run = `[${event.index + 1}/${runs} ${event.arm} #${event.seed}]`;
          bar.update(done, { run, epoch: `0/${epochs}` });
          break;
        case 'epoch-end':
          done += 1;
          bar.update(done, {
            run,
            epoch: `${event.epoch}/${epochs}`,
            loss: fmt(event.trainLoss),
            error: pct(event.testError),
          });
          break;
        case 'warning':
          bar.stop();
          io.err(`warning: ${event.message}\n`);
          bar.start(bar.getTotal(), done);
          break;
        default:
          break;
      }
    },
    close: () => {
      if (started) bar.stop();
    },
  };
};
