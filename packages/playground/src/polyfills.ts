// csv-parse (@sprout/data's CSV reader) uses Node's Buffer when its module loads: the browser gets the
// `buffer` package's. Imported first by the page and the worker.
import { Buffer } from 'buffer';

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;
