/**
 * The progress bar's time left. cli-progress's own format splits off the hours (or minutes) first and rounds
 * the rest on its own, so 6 h 59 min 58 s reads "6h60m" and 3 min 58 s "3m60s"; here the whole time is rounded
 * first (to 5 min above an hour, 5 s above ten seconds, as cli-progress means to), then split.
 */
const pad = (n: number): string => String(n).padStart(2, '0');

/** `eta` in seconds as `7h05m`, `3m05s` or `45s`; `?` while cli-progress has no estimate (its `'NULL'`, `'INF'`). */
export const timeLeft = (eta: unknown): string => {
  if (typeof eta !== 'number' || !Number.isFinite(eta) || eta < 0) return '?';
  const step = eta > 3600 ? 300 : eta > 10 ? 5 : 1;
  const t = step * Math.round(eta / step);
  if (t >= 3600) return `${Math.floor(t / 3600)}h${pad(Math.floor((t % 3600) / 60))}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${pad(t % 60)}s`;
  return `${t}s`;
};
