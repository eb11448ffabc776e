// Public API of @sprout/cli: the command line as a function, for embedding and tests.
export { runCli, createProgram } from './program.js';
export type { CommandFactory } from './program.js';
export { EXIT } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export { nodeIo } from './Io.js';
export type { Io } from './Io.js';
export { checkFiles } from './commands/check.js';
export type { CheckOutcome } from './commands/check.js';
