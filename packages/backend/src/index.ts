// Public API of @sprout/backend.
export type { BackendError, BackendInfo, BackendName, BackendPreference } from './BackendInfo.js';
export { initBackend } from './init-backend.js';
export { autoBackendName } from './probe.js';
export { registerWasmKernels, WASM_KERNELS, REPLACED_WASM_KERNELS } from './wasm-kernels.js';
export { setComputeThreads, computeThreads } from './threads.js';
