/**
 * Source positions: turning offsets into 1-based line/column positions, and chevrotain tokens into the
 * spec's `SourceRange` (end exclusive). A token the parser invented while recovering has no position;
 * it takes the end of the token before it (Langium's rule), so every diagnostic points somewhere real.
 */
import type { IToken } from 'chevrotain';
import type { SourcePosition, SourceRange } from '@sprout/spec';

/** Offsets of line starts, for offset → line:column in O(log n). Lines end at `\n` (a `\r` before it is part of the line). */
export class LineIndex {
  readonly starts: readonly number[];
  /** Lines end at `\n`, `\r\n` or a lone `\r` (classic Mac files), as in chevrotain's default line terminators. */
  constructor(readonly text: string) {
    const starts = [0];
    const breaks = /\r\n?|\n/g;
    for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) starts.push(m.index + m[0].length);
    this.starts = starts;
  }
  position(offset: number): SourcePosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1, offset: o };
  }
  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }
}

const hasPosition = (t: IToken | undefined): t is IToken => t !== undefined && Number.isFinite(t.startOffset);

/** The range of a token; `previous` supplies the position of a recovered (inserted) token. */
export const tokenRange = (index: LineIndex, token: IToken | undefined, previous?: IToken): SourceRange => {
  if (hasPosition(token)) return index.range(token.startOffset, (token.endOffset ?? token.startOffset) + 1);
  if (hasPosition(previous)) {
    const end = index.position((previous.endOffset ?? previous.startOffset) + 1);
    return { start: end, end };
  }
  const end = index.position(index.text.length);
  return { start: end, end };
};

/** The smallest range covering both. */
export const cover = (a: SourceRange, b: SourceRange): SourceRange => ({
  start: a.start.offset <= b.start.offset ? a.start : b.start,
  end: a.end.offset >= b.end.offset ? a.end : b.end,
});

/** Shortens a name for a message: at most 40 characters, with `…`. */
export const shorten = (s: string, max = 40): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
