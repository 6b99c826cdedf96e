/**
 * A fio I/O log whose lines are of the other version than its header says (a hand-edited log,
 * or a header copied from another) is refused at its first such line, saying so (user trial
 * h202: `found 3 fields` and `bad timestamp ... (got '/tmp/data')` left the newcomer to guess).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fioIologImporter } from '../traces/import/fio-iolog.ts';
import { importError, importRows } from './import-rows.ts';

const write = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'syncsim-fio-version-')), name);
  writeFileSync(path, text);
  return path;
};

describe('fio-iolog lines of the other version than the header', () => {
  it('version 3 lines under a version 2 header: refused at the first, naming the version 3 shape', async () => {
    const e = await importError(fioIologImporter, write('a.log', 'fio version 2 iolog\n10 /tmp/data add\n20 /tmp/data write 0 4096\n'));
    expect(e.line).toBe(2);
    expect(e.message).toBe("a.log:2: expected 'FILE ACTION' or 'FILE ACTION OFFSET LENGTH' (version 2 iolog), found 3 fields (the line reads as a version 3 line, with a TIMESTAMP first: is the header, 'fio version 2 iolog', the log's?) (got '10 /tmp/data add')".replace('a.log', e.file));
    const io = await importError(fioIologImporter, write('b.log', 'fio version 2 iolog\n/tmp/data add\n20 /tmp/data write 0 4096\n'));
    expect(io.line).toBe(3);
    expect(io.message).toContain('found 5 fields (the line reads as a version 3 line, with a TIMESTAMP first');
  });

  it('version 2 lines under a version 3 header: refused at the first, naming the version 2 shape', async () => {
    const e = await importError(fioIologImporter, write('c.log', 'fio version 3 iolog\n/tmp/data add\n/tmp/data write 0 4096\n'));
    expect(e.line).toBe(2);
    expect(e.column).toBe('timestamp');
    expect(e.message).toContain("bad timestamp: expected a non-negative integer of microseconds (the line reads as a version 2 line, FILE ACTION, without a TIMESTAMP: is the header, 'fio version 3 iolog', the log's?) (got '/tmp/data')");
    const io = await importError(fioIologImporter, write('d.log', 'fio version 3 iolog\n0 /tmp/data add\n/tmp/data write 0 4096\n'));
    expect(io.line).toBe(3);
    expect(io.message).toContain('(the line reads as a version 2 line, FILE ACTION OFFSET LENGTH, without a TIMESTAMP');
  });

  it('other malformed lines say what they said, without the hint; logs of either version import', async () => {
    const cut = await importError(fioIologImporter, write('e.log', 'fio version 3 iolog\n0 /tmp/data add\n12 /tmp/data write 4096\n'));
    expect(cut.message).toContain("found 4 fields (got '12 /tmp/data write 4096')");
    const bad = await importError(fioIologImporter, write('f.log', 'fio version 3 iolog\n0 /tmp/data add\nx /tmp/data write 0 4096\n'));
    expect(bad.message).toContain("bad timestamp: expected a non-negative integer of microseconds (got 'x')");
    const v2 = await importRows(fioIologImporter, write('g.log', 'fio version 2 iolog\n/tmp/data add\n/tmp/data write 0 4096\n'));
    expect(v2.rows.map((r) => r.op)).toEqual(['map', 'write']);
    const v3 = await importRows(fioIologImporter, write('h.log', 'fio version 3 iolog\n0 /tmp/data add\n5 /tmp/data write 0 4096\n'));
    expect(v3.rows.map((r) => r.op)).toEqual(['map', 'write']);
  });
});
