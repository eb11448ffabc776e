// Rendering is a pure function of the diagnostics and the text; its output is asserted exactly.
import { describe, expect, test } from 'vitest';
import type { Diagnostic } from '@sprout/spec';
import { renderDiagnostic, renderDiagnostics } from '../src/index.js';

const at = (line: number, column: number, offset: number, length: number) => ({
  start: { line, column, offset },
  end: { line, column: column + length, offset: offset + length },
});

describe('renderDiagnostic', () => {
  test('the DSL.md example: header, numbered source line, carets under the span', () => {
    const text = `${'\n'.repeat(11)}    dense 5 rleu\n`;
    const d: Diagnostic = {
      code: 'unknown-activation',
      severity: 'error',
      message: "unknown activation 'rleu'; did you mean 'relu'?",
      range: at(12, 13, 23, 4),
    };
    expect(renderDiagnostic(d, 'spirals.sprout', text)).toMatchInlineSnapshot(`
      "spirals.sprout:12:13 error[unknown-activation]: unknown activation 'rleu'; did you mean 'relu'?
         12 |     dense 5 rleu
            |             ^^^^"
    `);
  });

  test('a note, and a diagnostic without a range', () => {
    const text = 'experiment "x" { }\n';
    expect(
      renderDiagnostics(
        [
          { code: 'c', severity: 'warning', message: 'm', range: at(1, 16, 15, 1), note: 'n' },
          { code: 'file-not-found', severity: 'error', message: "cannot read 'x.sprout': no such file" },
        ],
        'x.sprout',
        text,
      ),
    ).toMatchInlineSnapshot(`
      "x.sprout:1:16 warning[c]: m
          1 | experiment "x" { }
            |                ^
            = note: n

      x.sprout: error[file-not-found]: cannot read 'x.sprout': no such file
      "
    `);
  });

  test('a span over several lines is underlined to the end of its first line; tabs and CRLF are shown as spaces', () => {
    const text = 'a {\r\n\tb\r\n}\r\n';
    const d: Diagnostic = {
      code: 'c',
      severity: 'error',
      message: 'm',
      range: { start: { line: 1, column: 3, offset: 2 }, end: { line: 3, column: 2, offset: 10 } },
    };
    expect(renderDiagnostic(d, 'f', text)).toMatchInlineSnapshot(`
      "f:1:3 error[c]: m
          1 | a {
            |   ^"
    `);
    const tab: Diagnostic = { code: 'c', severity: 'error', message: 'm', range: at(2, 2, 6, 1) };
    expect(renderDiagnostic(tab, 'f', text)).toMatchInlineSnapshot(`
      "f:2:2 error[c]: m
          2 |  b
            |  ^"
    `);
  });

  test('an empty span at the end of a line gets one caret after the text', () => {
    const text = 'experiment';
    const d: Diagnostic = { code: 'c', severity: 'error', message: 'm', range: at(1, 11, 10, 0) };
    expect(renderDiagnostic(d, 'f', text)).toMatchInlineSnapshot(`
      "f:1:11 error[c]: m
          1 | experiment
            |           ^"
    `);
  });

  test('no diagnostics render as the empty string', () => {
    expect(renderDiagnostics([], 'f', 'x')).toBe('');
  });
});
