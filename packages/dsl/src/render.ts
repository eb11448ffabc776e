/**
 * Diagnostics as text, the way a compiler prints them: a header `file:line:col error[code]: message`, the
 * source line with its number, a caret line under the span, and a note when there is one. Pure: the same
 * diagnostics and text always give the same string. A very long line is shown as a window around the span.
 */
import type { Diagnostic } from '@sprout/spec';
import { LineIndex } from './internal/positions.js';

/** Most characters of a source line shown; a longer line is cut to a window around the span. */
export const RENDER_WIDTH = 100;
const GUTTER = 5;

/** A displayable character for each UTF-16 unit (tabs become one space, control characters `·`). */
const visible = (s: string): string => s.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '·');

/** The line of `text` that starts at `start` (without its line break: `\n`, `\r\n` or `\r`). */
const lineAt = (text: string, start: number): string => {
  const end = text.slice(start).search(/[\r\n]/);
  return text.slice(start, end === -1 ? text.length : start + end);
};

/** Renders one diagnostic; `lines` is the text's line index (pass one to render many diagnostics fast). */
export const renderDiagnostic = (
  d: Diagnostic,
  file: string,
  text: string,
  lines: LineIndex = new LineIndex(text),
): string => {
  const out: string[] = [];
  const where = d.range === undefined ? `${file}:` : `${file}:${d.range.start.line}:${d.range.start.column}`;
  out.push(`${where} ${d.severity}[${d.code}]: ${d.message}`);
  if (d.range !== undefined) {
    const { start, end } = d.range;
    const line = lineAt(text, lines.starts[start.line - 1] ?? 0);
    const from = start.column - 1;
    const to = Math.max(from + 1, end.line === start.line ? end.column - 1 : line.length);
    let shown = line;
    let caretFrom = from;
    let caretTo = to;
    if (line.length > RENDER_WIDTH) {
      const winStart = Math.max(0, Math.min(from - 40, line.length - RENDER_WIDTH));
      const winEnd = Math.min(line.length, winStart + RENDER_WIDTH);
      const head = winStart > 0 ? '…' : '';
      shown = `${head}${line.slice(winStart, winEnd)}${winEnd < line.length ? '…' : ''}`;
      caretFrom = from - winStart + head.length;
      caretTo = Math.min(to - winStart, winEnd - winStart + 1) + head.length;
    }
    const number = String(start.line);
    const pad = ' '.repeat(Math.max(GUTTER, number.length));
    out.push(`${number.padStart(pad.length)} | ${visible(shown)}`.trimEnd());
    out.push(`${pad} | ${' '.repeat(caretFrom)}${'^'.repeat(Math.max(1, caretTo - caretFrom))}`);
    if (d.note !== undefined) out.push(`${pad} = note: ${d.note}`);
  } else if (d.note !== undefined) {
    out.push(`${' '.repeat(GUTTER)} = note: ${d.note}`);
  }
  return out.join('\n');
};

/** Renders diagnostics in order, a blank line between them, ending with a newline. */
export const renderDiagnostics = (ds: readonly Diagnostic[], file: string, text: string): string => {
  if (ds.length === 0) return '';
  const lines = new LineIndex(text);
  return `${ds.map((d) => renderDiagnostic(d, file, text, lines)).join('\n\n')}\n`;
};
