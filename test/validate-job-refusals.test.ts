/**
 * `syncsim validate --fio-job` refusing a job through the CLI's main (in this process): exit 2,
 * one line naming the job file, line and option or section, and nothing measured, waited for or
 * left behind (the refusals come before fio runs the job). The rules themselves, one by one, are
 * in validate.test.ts and fio-advice.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot, workdir } from './out-fixtures.ts';

/** A device for the replay: any profile does, nothing gets that far. */
const HAND = 'device:\n  profile: queue\n  channels: 2\n  per_page_us: 1.5\n  service:\n    dist: empirical\n    samples_us: [80, 100, 120, 400]\n';

/** Runs `syncsim validate --fio-job JOB` in a fresh directory holding `files`; its result and whether the directory is as it was. */
async function validateIn(files: Record<string, string | Buffer>, job: string, more: string[] = []) {
  const d = workdir();
  writeFileSync(join(d, 'hand.yaml'), HAND);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(d, name), content);
  const before = snapshot(d);
  const r = await syncsimHere(['validate', '--fio-job', job, '--calibration', 'hand.yaml', '--out', 'v', '--repeat', '1', ...more], d);
  return { ...r, untouched: JSON.stringify(snapshot(d)) === JSON.stringify(before) };
}

const PLACE = 'validate runs it in a scratch directory that it makes, and removes, on the filesystem it measures: remove the option, and choose that filesystem with --dir PATH (not tmpfs)';
const GLOBAL = '[global]\nioengine=mmap\nrw=randwrite\nbs=8k\nsize=24m\nfsync=4\n';

describe('validate refuses a job before anything runs', () => {
  it('a job that places its own files (on a tmpfs, in the working directory, elsewhere): refused, and nothing made there', async () => {
    const shm = `/dev/shm/syncsim-refusal-${process.pid}.dat`;
    const a = await validateIn({ 'shm.fio': `${GLOBAL}[j]\nfilename=${shm}\n` }, 'shm.fio');
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`syncsim: shm.fio:8: option filename: the job names its own files, but ${PLACE} (got 'filename=${shm}')\n`);
    expect(existsSync(shm)).toBe(false);
    expect(a.untouched).toBe(true);
    const b = await validateIn({ 'rel.fio': `${GLOBAL}[j]\nfilename=rw8k.dat\n` }, 'rel.fio');
    expect(b.stderr).toBe(`syncsim: rel.fio:8: option filename: the job names its own files, but ${PLACE} (got 'filename=rw8k.dat')\n`);
    expect(b.untouched).toBe(true); // no rw8k.dat in the working directory
    const d = mkdtempSync(join(tmpdir(), 'syncsim-refusal-dir-'));
    const c = await validateIn({ 'dir.fio': `${GLOBAL}directory=${d}\n[two]\nnumjobs=2\n` }, 'dir.fio');
    expect(c.stderr).toBe(`syncsim: dir.fio:7: option directory: the job puts its files in a directory it chooses, but ${PLACE} (got 'directory=${d}')\n`);
    expect(readdirSync(d)).toEqual([]);
    rmSync(d, { recursive: true });
  });

  it('a misspelt option: fio --parse-only names it at once (no settle wait, no measuring), at its line', async () => {
    const r = await validateIn({ 'typo.fio': '[j]\nioengine=mmap\nrw=randwrite\nbs=4k\nsize=4m\nfsync=4\nblocksz_typo=4k\n' }, 'typo.fio', ['--settle', '20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: typo.fio:7: option blocksz_typo: fio --parse-only refuses it: Bad option <blocksz_typo=4k> (got 'blocksz_typo=4k')\n");
    expect(r.untouched).toBe(true);
  });

  it('two job sections: names the second as a section, not a column', async () => {
    const r = await validateIn({ 'two-jobs.fio': '[global]\nioengine=mmap\nfsync=4\n[one]\nrw=write\n[two]\nrw=write\n' }, 'two-jobs.fio');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("syncsim: two-jobs.fio:6: section [two]: validation runs exactly one fio job: expected one job section besides [global] (got '[one] [two]')\n");
    expect(r.untouched).toBe(true);
  });
});
