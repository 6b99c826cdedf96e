/**
 * validate --trace on an output directory whose disk fills up: one line naming
 * --out as given (`--out v: cannot write the validation (ENOSPC: ...); nothing
 * was kept there`), exit 2, an earlier validation there kept byte for byte and
 * no staging directory left. Until 2026-12-07 the line named the staging
 * directory, removed by then (`--out /abs/.v.tmp-PID/sim: cannot write the
 * results ...`), or nothing at all (`syncsim: cannot write (ENOSPC: no space
 * left on device, write)`). The disk fills through node:fs patched in this
 * process for the files of the staging directory only (as
 * test/workers/full-disk.cjs does for a spawned sweep), not by filling a
 * real one or mounting a small one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs, { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { snapshot } from './out-fixtures.ts';

/** A trace whose msyncs carry a measured latency, as `syncsim record` writes them. */
const TRACE = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset,x_measured_us', '0,a,map,0x10000000,65536,,f,0,',
  ...Array.from({ length: 6 }, (_, i) => [`${i * 1000},a,write,0x${(0x10000000 + 4096 * i).toString(16)},4096,,,,2`, `${i * 1000 + 1},a,msync,0x10000000,65536,MS_SYNC,,,${300 + 20 * i}`]).flat(),
].join('\n') + '\n';

const real = { openSync: fs.openSync, closeSync: fs.closeSync, writeSync: fs.writeSync, writeFileSync: fs.writeFileSync };

/**
 * Makes every write of a file under `dir` whose path (below `dir`) `fails` names fail as on a
 * full disk: the error node:fs throws, ENOSPC, naming no file. Undone by {@link restore}.
 */
function fillDisk(dir: string, fails: (rel: string) => boolean): void {
  const root = resolve(dir) + sep;
  const hit = (p: unknown) => typeof p === 'string' && resolve(p).startsWith(root) && fails(resolve(p).slice(root.length));
  const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });
  const full = new Set<number>();
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const fd = (real.openSync as (...a: unknown[]) => number)(path, ...rest);
    if (hit(path)) full.add(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.closeSync = ((fd: number) => {
    full.delete(fd);
    real.closeSync(fd);
  }) as typeof fs.closeSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (full.has(fd)) throw noSpace();
    return (real.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  fs.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof file === 'number' ? full.has(file) : hit(file)) throw noSpace();
    return (real.writeFileSync as (...a: unknown[]) => void)(file, ...rest);
  }) as typeof fs.writeFileSync;
  syncBuiltinESMExports();
}

function restore(): void {
  Object.assign(fs, real);
  syncBuiltinESMExports();
}

afterEach(restore);

/** The staging directory of output `v`, and the files under it: `.v.tmp-PID/REST`. */
const inStage = (rest: (r: string) => boolean) => (rel: string) => {
  const m = /^\.v\.tmp-\d+\/(.*)$/.exec(rel);
  return m !== null && rest(m[1]!);
};

describe('validate --trace into a directory whose disk is full', () => {
  const cases: [string, (r: string) => boolean][] = [
    ['its first file (the marker of the staging directory)', () => true],
    ['the replay of the trace (sim/, staged as .sim.tmp-PID/)', (r) => /^(sim\/|\.sim\.tmp-)/.test(r)],
    ['the chart', (r) => r.startsWith('validation-cdf.')],
    ['validation.json', (r) => r === 'validation.json'],
  ];
  for (const [what, fails] of cases) {
    it(`names --out as given when ${what} cannot be written, and keeps the earlier validation`, async () => {
      const d = mkdtempSync(join(tmpdir(), 'syncsim-validate-full-'));
      writeFileSync(join(d, 't.csv'), TRACE);
      const args = ['validate', '--trace', 't.csv', '--out', 'v', '--sim-seeds', '1'];
      const first = await syncsimHere(args, d);
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(d);
      fillDisk(d, inStage(fails));
      const r = await syncsimHere(args, d);
      restore();
      expect([r.code, r.stderr, r.stdout]).toEqual([2, 'syncsim: --out v: cannot write the validation (ENOSPC: no space left on device, write); nothing was kept there\n', '']);
      expect(snapshot(d)).toEqual(before);
      expect(readdirSync(d).filter((n) => n.startsWith('.'))).toEqual([]);
    });
  }
});
