/** The hidden first argument that makes a `sprout` process a worker of a study (see `sprout run --jobs`). */
export const STUDY_WORKER = '__study-worker';
