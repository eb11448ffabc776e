/**
 * Share links: the experiment text in the URL hash (`#sprout=` + base64url of its UTF-8), so a link opens
 * the same experiment with no server. A link is untrusted input: its text is only put in the editor and
 * parsed like typed text, never evaluated; a link that is too long or malformed opens with a diagnostic
 * that says why, as the editor shows any other.
 */
import type { Diagnostic } from '@sprout/spec';
import { MAX_SOURCE_LENGTH } from '@sprout/dsl';

const HASH_KEY = 'sprout';
/** Longest hash accepted: base64 of the longest source the language reads, and a little. */
export const MAX_HASH_LENGTH = Math.ceil((MAX_SOURCE_LENGTH * 4) / 3) + 64;

const toBase64Url = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** The hash (with its `#`) that carries `text`. */
export const encodeShare = (text: string): string => `#${HASH_KEY}=${toBase64Url(new TextEncoder().encode(text))}`;

const problem = (message: string): Diagnostic => ({
  code: 'shared-link',
  severity: 'error',
  message,
  range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
});

/**
 * The text a hash carries: `none` when the hash holds no experiment, else the text, or a diagnostic for a
 * link that is too long, not base64url or not UTF-8.
 */
export const decodeShare = (
  hash: string,
):
  | { readonly _tag: 'none' }
  | { readonly _tag: 'text'; readonly text: string }
  | { readonly _tag: 'bad'; readonly diagnostic: Diagnostic } => {
  const prefix = `#${HASH_KEY}=`;
  if (!hash.startsWith(prefix)) return { _tag: 'none' };
  const data = hash.slice(prefix.length);
  if (data.length > MAX_HASH_LENGTH)
    return {
      _tag: 'bad',
      diagnostic: problem(
        `the shared link is too long (${data.length} characters of experiment data; at most ${MAX_HASH_LENGTH}): it was not opened`,
      ),
    };
  if (!/^[A-Za-z0-9_-]*$/.test(data) || data.length % 4 === 1)
    return {
      _tag: 'bad',
      diagnostic: problem('the shared link is malformed (its data is not base64url): it was not opened'),
    };
  let binary: string;
  try {
    binary = atob(data.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return {
      _tag: 'bad',
      diagnostic: problem('the shared link is malformed (its data is not base64url): it was not opened'),
    };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    return { _tag: 'text', text };
  } catch {
    return {
      _tag: 'bad',
      diagnostic: problem('the shared link is malformed (its text is not UTF-8): it was not opened'),
    };
  }
};
