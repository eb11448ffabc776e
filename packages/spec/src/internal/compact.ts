/**
 * Drops the keys whose value is `undefined`, so built specs have no undefined-valued keys: a spec then
 * survives a JSON round trip unchanged and compares equal with `toStrictEqual`.
 */
export type Compact<T> = { [K in keyof T]: Exclude<T[K], undefined> };

export const compact = <T extends object>(value: T): Compact<T> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as Compact<T>;
};
