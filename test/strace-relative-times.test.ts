/**
 * `strace -r` output (each time since the line before, the first 0.000000) is refused at its
 * first line, saying so (user trial h202: it was read as -ttt's seconds since the epoch, every
 * later time going backwards and put at the time before it, without a word: a trace of wrong
 * times, exit 0).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { straceImporter } from '../traces/import/strace.ts';
import { importError, importRows } from './import-rows.ts';

const write = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'syncsim-strace-r-')), 'r.strace');
  writeFileSync(path, text);
  return path;
};

/** `strace -f -r -T -o FILE` of a program that maps a file and msyncs it (trimmed). */
const RELATIVE = `2787       0.000000 openat(AT_FDCWD, "/tmp/d.bin", O_RDWR|O_CREAT|O_TRUNC, 0644) = 3 <0.000071>
2787       0.000238 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f2e4b083000 <0.000018>
2787       0.000102 msync(0x7f2e4b083000, 65536, MS_SYNC) = 0 <0.002660>
2787       0.002771 msync(0x7f2e4b083000, 4096, MS_ASYNC) = 0 <0.000016>
`;

describe('strace -r output', () => {
  it('is refused at its first line, naming -r and the -ttt the import needs', async () => {
    const e = await importError(straceImporter!, write(RELATIVE));
    expect(e.line).toBe(1);
    expect(e.column).toBe('timestamp');
    expect(e.problem).toBe("the first line's time is 0.000000, as strace -r writes it (each time since the line before), not seconds since the epoch: the import needs absolute times (capture with strace -f -ttt -T)");
    expect(e.text).toBe('0.000000');
  });

  it('the same calls with -ttt times import, at their times since the first line', async () => {
    const ttt = RELATIVE.replace('0.000000', '1796700598.000000').replace('0.000238', '1796700598.000238').replace('0.000102', '1796700598.000340').replace('0.002771', '1796700598.003111');
    const { rows } = await importRows(straceImporter!, write(ttt));
    expect(rows.filter((r) => r.op === 'msync').map((r) => r.tNs)).toEqual([340_000, 3_111_000]);
  });
});
