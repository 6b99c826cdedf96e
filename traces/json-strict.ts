/**
 * Where a text stops being strict JSON (RFC 8259), and why: V8's JSON.parse
 * gives no position for many of its errors (a trailing comma in a list, a
 * single-quoted string, a comment), so a config file's problem could not be
 * shown at its line and column.
 */

/** The first place `text` is not strict JSON: its offset and what is wrong there; undefined when it is JSON. */
export function jsonProblem(text: string): { offset: number; problem: string } | undefined {
  let i = 0, depth = 0;
  const fail = (problem: string): never => {
    throw new JsonStop(i, problem);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const what = (): string => {
    if (i >= text.length) return 'the end of the file';
    const c = text[i]!;
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return 'a comment (JSON has none)';
    if (c === "'") return 'a single quote (JSON strings take double quotes)';
    return `'${c}'`;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected a value, found ${what()}`);
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('a string that is never closed');
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 0x20) fail('a control character inside a string (write it as an escape, \\n)');
      if (c === 92) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('a bad escape in a string');
      } else i++;
    }
  };
  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0] === '-' || m[0] === '') fail(`expected a number, found ${what()}`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail(i >= text.length ? 'the JSON ends early' : `expected a value, found ${what()}`);
  };
  const items = (close: string, item: () => void) => {
    if (++depth > MAX_DEPTH) fail(`lists and mappings nested more than ${MAX_DEPTH} deep`);
    i++; // the opening bracket
    ws();
    if (text[i] === close) return void (i++, depth--);
    for (;;) {
      item();
      ws();
      if (text[i] === close) return void (i++, depth--);
      if (text[i] !== ',') fail(i >= text.length ? 'the JSON ends early' : `expected ',' or '${close}', found ${what()}`);
      const comma = i++;
      ws();
      if (text[i] === close) {
        i = comma;
        fail(`a comma before '${close}' (JSON allows none after the last item)`);
      }
    }
  };
  const object = () =>
    items('}', () => {
      ws();
      if (text[i] !== '"') fail(`expected a key in double quotes, found ${what()}`);
      string();
      ws();
      if (text[i] !== ':') fail(`expected ':' after the key, found ${what()}`);
      i++;
      value();
    });
  const array = () => items(']', value);
  try {
    value();
    ws();
    if (i < text.length) fail(`${what()} after the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof JsonStop) return { offset: e.offset, problem: e.problem };
    throw e;
  }
}

/** A JSON number, matched where it starts (sticky), however long. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Nesting deeper than this is refused (a config is never so deep; a stack is). */
const MAX_DEPTH = 1000;

class JsonStop {
  constructor(readonly offset: number, readonly problem: string) {}
}

/**
 * `text` parsed as JSON; when it is not JSON, an Error whose message says where and why, on one
 * line (`line 3, column 7: expected a value, found '}'`; `line 1, column 1: a byte order mark
 * (U+FEFF) before the JSON`), where V8's own message quotes the text and may run over lines.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (text.charCodeAt(0) === 0xfeff) throw new Error('line 1, column 1: a byte order mark (U+FEFF) before the JSON (save the file without it)');
    const bad = jsonProblem(text);
    if (bad === undefined) throw new Error((e as Error).message.split('\n')[0]);
    const at = lineColumn(text, bad.offset);
    throw new Error(`line ${at.line}, column ${at.column}: ${bad.problem}`);
  }
}

/** The line and column (from 1) of character `offset` of `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}
