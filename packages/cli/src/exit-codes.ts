/** The exit statuses of `sprout`, the same for every command. */
export const EXIT = {
  /** The input is valid (and the command did what it was asked). */
  ok: 0,
  /** A failure of Sprout itself (a bug, or the machine): reported without a stack trace unless --debug. */
  internal: 1,
  /** The input is invalid, a file is missing or not formatted (`fmt --check`), or the usage is wrong. */
  invalid: 2,
  /** `sprout run` stopped by SIGINT or SIGTERM after finishing its current step (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
