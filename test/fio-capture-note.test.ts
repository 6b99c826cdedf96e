/**
 * `syncsim run` says where a fio I/O log's times came from, as it says of a capture of a Linux
 * program (strace, record): a trace of `syncsim import --from fio-iolog` gets a note that its
 * times are those of the system fio ran on, which fio's log does not name, and how to replay it
 * as Linux does; `syncsim validate`'s trace, of the fio job it ran on this Linux kernel, is named
 * a capture on Linux. Only under the default personality, as for strace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fioCapture, linuxCapture } from '../scripts/commands/run.ts';
import { importWithMeasured, validationTraceComment } from '../scripts/validate/sim-side.ts';
import { syncsimHere } from './cli-here.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-fio-note-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A version-3 I/O log: two 4 KiB writes and a sync of /tmp/data. */
const IOLOG = 'fio version 3 iolog\n0 /tmp/data add\n0 /tmp/data open\n10 /tmp/data write 0 4096\n20 /tmp/data write 8192 4096\n30 /tmp/data sync 0 0\n40 /tmp/data close\n';

const notes = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('syncsim: note:'));

describe('where a fio trace\'s times came from', () => {
  it('run notes that an imported fio I/O log holds the times of the system fio ran on, under the default personality only', async () => {
    const d = tmp();
    writeFileSync(join(d, 'j.iolog'), IOLOG);
    expect((await syncsimHere(['import', '--from', 'fio-iolog', join(d, 'j.iolog'), '-o', join(d, 't.csv')])).code).toBe(0);
    const r = await syncsimHere(['run', join(d, 't.csv'), '--out', join(d, 'r1')]);
    expect(r.code).toBe(0);
    expect(notes(r.stderr)).toEqual([
      `syncsim: note: ${join(d, 't.csv')} is a fio I/O log (syncsim import --from fio-iolog): its times are those of the system fio ran on, which the log does not name (syncsim validate runs fio on Linux); `
      + `it replays under the freebsd personality, the default, whose msync checks and costs are not Linux's: if fio ran on Linux, --set personality=linux replays it as Linux does`,
    ]);
    // a personality chosen, by --set or in a config file: no note
    writeFileSync(join(d, 'c.yaml'), 'personality: xnu\n');
    for (const [i, args] of [['--set', 'personality=linux'], ['--set', 'personality=freebsd'], ['--config', join(d, 'c.yaml')]].entries()) {
      // each its own --out: a run that replaces another's results says so (a note of its own)
      const x = await syncsimHere(['run', join(d, 't.csv'), '--out', join(d, `r2-${i}`), ...args]);
      expect(x.code).toBe(0);
      expect(notes(x.stderr)).toEqual([]);
    }
    // written gzip-compressed: the same note
    expect((await syncsimHere(['import', '--from', 'fio-iolog', join(d, 'j.iolog'), '-o', join(d, 't.csv.gz')])).code).toBe(0);
    expect(notes((await syncsimHere(['run', join(d, 't.csv.gz'), '--out', join(d, 'r3')])).stderr)).toHaveLength(1);
    // another import (msr: Windows servers' block traces) gets none
    writeFileSync(join(d, 'm.csv'), '128166372003061629,usr,0,Write,0,4096,100\n128166372013061629,usr,0,Write,8192,4096,100\n');
    expect((await syncsimHere(['import', '--from', 'msr', join(d, 'm.csv'), '-o', join(d, 'm-t.csv'), '--sync-every-writes', '1'])).code).toBe(0);
    expect(notes((await syncsimHere(['run', join(d, 'm-t.csv'), '--out', join(d, 'r4')])).stderr)).toEqual([]);
  });

  it('validate\'s trace says fio ran on this Linux kernel, and run names it a capture on Linux', async () => {
    const d = tmp();
    writeFileSync(join(d, 'fio.iolog'), IOLOG);
    const trace = join(d, 'trace.csv');
    await importWithMeasured([{ iolog: join(d, 'fio.iolog'), task: 'fio', measured: Float64Array.from([300]) }], trace, 4096);
    const comment = readFileSync(trace, 'utf8').split('\n')[1];
    expect(comment).toMatch(/^# imported by syncsim validate from fio\.iolog, the I\/O log of a fio job run on Linux \S+$/);
    const r = await syncsimHere(['run', trace, '--out', join(d, 'r')]);
    expect(r.code).toBe(0);
    expect(notes(r.stderr)).toEqual([
      `syncsim: note: ${trace} is a capture of a program on Linux (syncsim validate, of the fio job it ran); it replays under the freebsd personality, the default, whose msync checks and costs are not Linux's: --set personality=linux replays it as Linux does`,
    ]);
  });

  it('reads the header comment: a validation of fio on another system is no Linux capture, and only fio-iolog imports are fio captures', () => {
    const head = (comment: string) => Buffer.from(`# syncsim-trace v1\n# ${comment}\nt_us,task,op,addr,len,flags,object,offset\n`);
    expect(validationTraceComment(['/o/fio-1.iolog', '/o/fio-2.iolog'], 'Linux 6.1.0')).toBe('imported by syncsim validate from fio-1.iolog, fio-2.iolog, the I/O logs of a fio job run on Linux 6.1.0');
    expect(linuxCapture('t.csv', head(validationTraceComment(['fio.iolog'], 'Linux 6.1.0')))).toBe('syncsim validate, of the fio job it ran');
    expect(linuxCapture('t.csv', head(validationTraceComment(['fio.iolog'], 'Darwin 23.1.0')))).toBeUndefined();
    expect(fioCapture('t.csv', head('imported by syncsim import --from fio-iolog from j.iolog (sha256 00)'))).toBe(true);
    expect(fioCapture('t.csv', head('imported by syncsim import --from blkparse from b.txt (sha256 00)'))).toBe(false);
    expect(linuxCapture('t.csv', head('imported by syncsim import --from fio-iolog from j.iolog (sha256 00)'))).toBeUndefined();
  });
});
