// A run directory's metrics.csv without its wall-time column (`seconds`, found by its header name), for
// comparing two runs that should have trained the same: shared by the pipeline and cli tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The rows of `dir/metrics.csv` (header included) without the `seconds` column. */
export function metricRows(dir) {
  const lines = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const seconds = (lines[0] ?? '').split(',').indexOf('seconds');
  if (seconds < 0) throw new Error(`${join(dir, 'metrics.csv')} has no 'seconds' column`);
  return lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== seconds)
      .join(','),
  );
}
