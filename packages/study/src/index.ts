// Public API of @sprout/study: the runs of an experiment as tasks, run on local worker processes or
// through a BullMQ queue on Redis, merged into one run directory.
export { studyTasks, taskDir } from './tasks.js';
export type { RunTask } from './tasks.js';
export { runLocalStudy, studyStarted } from './local.js';
export type { LocalStudyOptions, StudyOutcome } from './local.js';
export { runPool, asStudyEvent } from './pool.js';
export type { PoolOptions, PoolResult, WorkerCommand } from './pool.js';
export { workerProcess } from './worker-process.js';
export type { WorkerProcessOptions } from './worker-process.js';
export { runTask, runFinished, checkTaskSpec } from './run-task.js';
export type { TaskOutcome } from './run-task.js';
export { isStudyDir, studyRecord, finishStudy } from './study-dir.js';
export { studyMerger } from './merge.js';
export type { StudyMerger } from './merge.js';
export type { StudyRecord, StudyStatus } from './study-dir.js';
export type { TaskFailure, WorkerSettings } from './protocol.js';
export {
  runQueueStudy,
  runQueueWorker,
  connectQueue,
  validateJob,
  redactUrl,
  QUEUE_NAME,
  JOB_ATTEMPTS,
  CONNECT_TIMEOUT_MS,
} from './queue.js';
export type { QueueStudyOptions, QueueWorkerOptions, RunJob, JobProgress } from './queue.js';
