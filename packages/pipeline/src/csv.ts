/**
 * The CSV form of a run's metrics.csv and final.csv, for the pipeline and for tools that read or join those
 * files (a study's merger): one field written (`csvField`) and one line split (`csvFields`), the inverse.
 */

/** One field: quoted when it holds a comma, a quote or a line break (embedded quotes doubled). */
export const csvField = (v: string | number): string => {
  if (typeof v === 'number') return String(v); // never a comma, quote or line break
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** Splits one CSV line written with `csvField`. */
export const csvFields = (line: string): string[] => {
  if (!line.includes('"')) return line.split(','); // no quoted field: nearly every line
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
};
