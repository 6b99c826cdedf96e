/**
 * The strict JSON scanner that places a .json config's problem at its line
 * and column (traces/json-strict.ts): it agrees with JSON.parse on what is
 * JSON, and names where and why the rest is not.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jsonProblem, lineColumn, parseJsonText } from '../traces/json-strict.ts';
import { syncsimHere } from './cli-here.ts';

const DEMO = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');

const parses = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('jsonProblem', () => {
  it('places each problem where it is, with what is wrong', () => {
    expect(jsonProblem('{"a": [1, 2,], "b": 1}')).toEqual({ offset: 11, problem: "a comma before ']' (JSON allows none after the last item)" });
    expect(jsonProblem('{\n  "seed": 3,\n}')).toEqual({ offset: 13, problem: "a comma before '}' (JSON allows none after the last item)" });
    expect(jsonProblem('{"a": 1 // two\n}')).toEqual({ offset: 8, problem: "expected ',' or '}', found a comment (JSON has none)" });
    expect(jsonProblem("{'a': 1}")).toEqual({ offset: 1, problem: 'expected a key in double quotes, found a single quote (JSON strings take double quotes)' });
    expect(jsonProblem('{"a": 01}')).toEqual({ offset: 7, problem: "expected ',' or '}', found '1'" });
    expect(jsonProblem('{"a": 1')).toEqual({ offset: 7, problem: 'the JSON ends early' });
    expect(jsonProblem('{"a": "x')).toEqual({ offset: 8, problem: 'a string that is never closed' });
    expect(jsonProblem('{} {}')).toEqual({ offset: 3, problem: "'{' after the JSON value" });
    expect(jsonProblem('')).toEqual({ offset: 0, problem: 'the JSON ends early' });
    expect(jsonProblem('['.repeat(5000))).toMatchObject({ problem: 'lists and mappings nested more than 1000 deep' });
    expect(jsonProblem('{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n", {}], "b": {"c": []}}')).toBeUndefined();
    // a number of any length, as JSON.parse takes it
    expect(jsonProblem(`{"a": ${'9'.repeat(1000)}}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on what is JSON: any JSON text, and texts one character off it', () => {
    fc.assert(fc.property(fc.json(), (t) => jsonProblem(t) === undefined));
    fc.assert(fc.property(fc.json(), fc.nat(), fc.constantFrom(',', '}', ']', '"', "'", '/', ' ', '0', 'x', ':'), (t, at, c) => {
      const k = at % (t.length + 1);
      const mutated = t.slice(0, k) + c + t.slice(k);
      return (jsonProblem(mutated) === undefined) === parses(mutated);
    }), { numRuns: 2000 });
  });
});

describe('parseJsonText', () => {
  it('parses JSON; says where and why on one line when it is not (a BOM, a bad token past a newline)', () => {
    expect(parseJsonText('{"a": [1, 2]}')).toEqual({ a: [1, 2] });
    expect(() => parseJsonText('\ufeff{"a": 1}')).toThrow(/^line 1, column 1: a byte order mark \(U\+FEFF\) before the JSON \(save the file without it\)$/);
    expect(() => parseJsonText('mine\n')).toThrow(/^line 1, column 1: expected a value, found 'm'$/);
    expect(() => parseJsonText('{\n  "a": 1,\n}')).toThrow(/^line 2, column 9: a comma before '}'/);
    // one line, whatever the text (V8's message quotes it, newlines and all)
    for (const bad of ['mine\n', '{\n"a":\n', '[1,\n2,]']) expect(() => parseJsonText(bad), JSON.stringify(bad)).toThrow(/^line \d+, column \d+: [^\n]*$/);
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('a summary.json that is not JSON, to report', () => {
  it('is told at its line and column on one line, exit 2, as compare and sweep tell it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-json-report-'));
    expect((await syncsimHere(['run', DEMO, '--out', 'r'], d)).code).toBe(0);
    const file = join(d, 'r', 'summary.json');
    writeFileSync(file, '\ufeff' + readFileSync(file, 'utf8'));
    const r = await syncsimHere(['report', 'r'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: r/summary.json: cannot read summary.json: line 1, column 1: a byte order mark (U+FEFF) before the JSON (save the file without it)\n`);
  });
});
