/**
 * A trace syncsim wrote whole (its header's `# stamped:` line promises a stamp line at its end)
 * that has lost its end — a copy or download that stopped at a line break, `head` of a longer
 * trace — is read as it is by `run`, `inspect` and `convert`, but said (user trial h202: it was
 * replayed as a whole trace with no word, results from part of the input).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cutShortLastLine, STAMPED_LINE } from '../traces/trace-stamp.ts';
import { syncsimHere } from './cli-here.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cut-short-'));

/** The text of a stamped trace as gen writes it (about 50 writes and their msyncs), made by `syncsim gen` in `dir` as t.csv. */
async function generated(dir: string): Promise<string> {
  const r = await syncsimHere(['gen', 'random-writer', '--set', 'duration_s=0.01', '--set', 'rate=5000', '--set', 'sync_every=2', '-o', 't.csv', '-q'], dir);
  expect(r.code).toBe(0);
  return readFileSync(join(dir, 't.csv'), 'utf8');
}

describe('cutShortLastLine', () => {
  it('is undefined for a trace as written, and the last row for one cut at a line break', async () => {
    const d = tmp();
    const text = await generated(d);
    const lines = text.split('\n');
    expect(lines[3]).toBe(STAMPED_LINE);
    expect(lines.at(-2)).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64}$/);
    expect(cutShortLastLine(join(d, 't.csv'))).toBeUndefined();

    // everything up to the row before the stamp line: a copy that stopped at a line break
    const cut = lines.slice(0, -2).join('\n') + '\n';
    writeFileSync(join(d, 'cut.csv'), cut);
    expect(cutShortLastLine(join(d, 'cut.csv'))).toBe(lines.at(-3));
    // cut right after the column header: no row at all
    writeFileSync(join(d, 'header.csv'), lines.slice(0, 5).join('\n') + '\n');
    expect(cutShortLastLine(join(d, 'header.csv'))).toBe(lines[4]);
  });

  it('takes a stamp line after blank lines, or with CR LF line ends, as the end', async () => {
    const d = tmp();
    const text = await generated(d);
    writeFileSync(join(d, 'blank.csv'), text + '\n\n  \n');
    expect(cutShortLastLine(join(d, 'blank.csv'))).toBeUndefined();
    writeFileSync(join(d, 'crlf.csv'), text.replace(/\n/g, '\r\n'));
    expect(cutShortLastLine(join(d, 'crlf.csv'))).toBeUndefined();
  });

  it('is undefined for a trace that promises no stamp (by hand, or before stamps), and for a gzip one', () => {
    const d = tmp();
    const hand = 't_us,op,addr,len,object,offset\n0,map,0,8192,a,0\n1,write,0,10,,\n';
    writeFileSync(join(d, 'hand.csv'), hand);
    expect(cutShortLastLine(join(d, 'hand.csv'))).toBeUndefined();
    writeFileSync(join(d, 'cut.csv.gz'), gzipSync(`# syncsim-trace v1\n${STAMPED_LINE}\n${hand}`));
    expect(cutShortLastLine(join(d, 'cut.csv.gz'))).toBeUndefined();
    expect(cutShortLastLine(join(d, 'missing.csv'))).toBeUndefined();
  });
});

describe('run, inspect and convert of a stamped trace cut short', () => {
  it('read its rows (exit 0) and warn, naming the trace and its last line; an intact trace gets no warning', async () => {
    const d = tmp();
    const lines = (await generated(d)).split('\n');
    // the stamp line and the two rows before it lost
    const lastRow = lines.at(-5)!;
    writeFileSync(join(d, 'cut.csv'), lines.slice(0, -4).join('\n') + '\n');
    const warning = `cut.csv may be cut short: its header says syncsim wrote it whole, ending with a stamp line ('# syncsim stamp sha256:...'), but its last line is '${lastRow}', not that stamp`;

    const inspect = await syncsimHere(['inspect', 'cut.csv', '-q', '--json'], d);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout).rows).toBe(lines.length - 9); // not rows: 4 comments and the column header, the stamp line, the empty string after it; and the 2 rows lost
    expect(inspect.stderr).toContain(`syncsim: warning: ${warning}`);
    expect(inspect.stderr).toContain('only the rows it holds are counted');

    const run = await syncsimHere(['run', 'cut.csv', '--out', 'r', '--no-cache', '-q', '--json'], d);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`syncsim: warning: ${warning}`);
    expect(run.stderr).toContain('only the rows it holds are replayed');

    const convert = await syncsimHere(['convert', 'cut.csv', '-o', 'cut.sst', '-q'], d);
    expect(convert.code).toBe(0);
    expect(convert.stderr).toContain(`syncsim convert: warning: ${warning}`);

    const intact = await syncsimHere(['inspect', 't.csv', '-q'], d);
    expect(intact.code).toBe(0);
    expect(intact.stderr).not.toContain('cut short');
    const intactRun = await syncsimHere(['run', 't.csv', '--out', 'r2', '--no-cache', '-q'], d);
    expect(intactRun.code).toBe(0);
    expect(intactRun.stderr).not.toContain('cut short');
  });
});
