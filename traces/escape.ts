/**
 * Showing untrusted text (a field of a trace, a file name, a command-line
 * value) inside a one-line message without letting it act on the terminal.
 */

/** Characters never echoed raw: C0 controls, DEL, C1 controls, line/paragraph separators and bidirectional overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** How each common control character is written; any other unsafe one is `\xHH` or `\uHHHH`. */
const NAMED: Readonly<Record<string, string>> = { '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const c = ch.charCodeAt(0);
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every control character written as an escape (`\x1b`, `\0`, `\n`,
 * `\u202e`), so that it prints as one inert line. Printable text, backslashes
 * included, is unchanged, so escaping twice gives the same text as once.
 */
export function escapeControl(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, escapeOne) : s;
}

/** `text` of several lines with each line's control characters escaped ({@link escapeControl}); its line breaks kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}
