// Stands in for Node's built-ins in the browser build (vite.config.ts): sibling packages import them for
// their file loaders, the MNIST package lookup and the native addon, which a page never calls (its data
// come through the memory host, and the addon's loader treats a failure as "no addon").
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in a browser`);
};

export const createRequire = (): ((id: string) => never) => unavailable('require');
export const fileURLToPath = (url: string | URL): string => String(url);
export const availableParallelism = (): number => 1;
export const join = (...parts: string[]): string => parts.join('/');
export const dirname = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf('/')));
export const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
export const resolve = (...parts: string[]): string => parts.join('/');
export const existsSync = (): boolean => false;
export const readFileSync = unavailable('readFileSync');
export const readdirSync = unavailable('readdirSync');
export const openSync = unavailable('openSync');
export const closeSync = unavailable('closeSync');
export const fstatSync = unavailable('fstatSync');
export const readSync = unavailable('readSync');
export const access = unavailable('access');
export const mkdir = unavailable('mkdir');
export const writeFile = unavailable('writeFile');
export const gunzipSync = unavailable('gunzipSync');
export const constants = {};
export const promises = { open: unavailable('open'), readFile: unavailable('readFile'), stat: unavailable('stat') };
export default { join, dirname, basename, resolve };
