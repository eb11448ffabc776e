/** The rows of `dir/metrics.csv` (header included) without the `seconds` column. */
export function metricRows(dir: string): string[];
