// Public API of @sprout/model.
export type { Net, Param, ParamRole } from './Net.js';
