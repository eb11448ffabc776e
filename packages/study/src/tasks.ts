/**
 * The runs of a study as tasks: one per (arm, sweep point, seed), each carrying the experiment of that run
 * alone (@sprout/spec's `singleRun`) and the folder its outputs go to. A task is data, never code: the same
 * task runs in a local worker process or, as a BullMQ job, on another machine.
 */
import { join } from 'node:path';
import { runSeeds, singleRun, type Experiment } from '@sprout/spec';
import { planArms } from '@sprout/spec';

export interface RunTask {
  /** Position among all runs of the study, in the order a sequential run takes them (seed, then arm). */
  readonly index: number;
  /** The (arm, point)'s name, as in metrics.csv. */
  readonly name: string;
  readonly repeat: number;
  readonly seed: number;
  /** The run's own folder (absolute): its spec.json, metrics.csv, events.jsonl, checkpoints, summary. */
  readonly dir: string;
  /** The experiment of this run alone. */
  readonly spec: Experiment;
  /** Folder that relative data paths of the spec are read from (absolute). */
  readonly baseDir: string;
}

/** A file-system-safe form of a name (as the pipeline's run folders use). */
const slug = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';

/** The folder of one run relative to its study's run directory. */
export const taskFolder = (name: string, seed: number): string => join('runs', slug(name), `seed-${seed}`);

/** The folder of one run inside a study's run directory. */
export const taskDir = (runDir: string, name: string, seed: number): string => join(runDir, taskFolder(name, seed));

/** Every run of a checked experiment, in a sequential run's order. */
export const studyTasks = (spec: Experiment, runDir: string, baseDir: string): readonly RunTask[] => {
  const plans = planArms(spec);
  const tasks: RunTask[] = [];
  runSeeds(spec).forEach((seed, repeat) => {
    for (const plan of plans)
      tasks.push({
        index: tasks.length,
        name: plan.name,
        repeat,
        seed,
        dir: taskDir(runDir, plan.name, seed),
        spec: singleRun(plan.experiment, seed),
        baseDir,
      });
  });
  return tasks;
};
