/**
 * Free page reporting of a guest (scripts/validate/page-reporting.ts): reading its order and
 * the buddy allocator's largest, pausing it for a measurement and putting it back, also when
 * the measurement fails, and the warning when it is left on.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdReporting, maxBuddyOrder, measureWithReporting, PRIME_MIB, primeFreeMemory, pageReportingWarning, parsePageReporting, pausePageReporting, REPORTING_ORDER_FILE, type ReportingIo, type ReportingRecord } from '../scripts/validate/page-reporting.ts';
import { commandHere, syncsimHere } from './cli-here.ts';
import { runValidate } from '../scripts/commands/validate.ts';
import { runCalibrate } from '../scripts/commands/calibrate.ts';
import { reportError } from '../scripts/cli.ts';
import { InputError } from '../scripts/errors.ts';

/** /proc/buddyinfo of the development machine (orders 0 .. 10: eleven columns). */
const BUDDYINFO = `Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 
Node 0, zone    DMA32      0      4      2      2      1      2      0      3      3      1    753 
Node 0, zone   Normal      3    140   1227   1656   3134   1870    810    766    683    332   1904 
`;

/** An io whose order file is `order` and whose writes are recorded. */
function fakeIo(order: number, failWrite = false): ReportingIo & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    read: () => parsePageReporting(`${order}\n`, BUDDYINFO),
    write: (file, text) => {
      if (failWrite) throw new Error('EACCES: permission denied');
      writes.push(`${file}=${text.trim()}`);
    },
  };
}

/** An io whose order file starts at `order` and holds what is written to it, as sysfs does. */
function sysfsLikeIo(order: number): ReportingIo & { writes: string[] } {
  let now = order;
  const writes: string[] = [];
  return {
    writes,
    read: () => parsePageReporting(`${now}\n`, BUDDYINFO),
    write: (file, text) => {
      writes.push(`${file}=${text.trim()}`);
      now = Number(text);
    },
  };
}

describe('free page reporting: the state', () => {
  it('the largest order is the columns of a zone less one', () => {
    expect(maxBuddyOrder(BUDDYINFO)).toBe(10);
    expect(maxBuddyOrder('Node 0, zone Normal 1 2 3\n')).toBe(2);
    expect(maxBuddyOrder('nothing here\n')).toBeNull();
  });

  it('reporting is on while its order is at most the largest, off above it', () => {
    expect(parsePageReporting('9\n', BUDDYINFO)).toEqual({ order: 9, max_order: 10, active: true });
    expect(parsePageReporting('10', BUDDYINFO)).toEqual({ order: 10, max_order: 10, active: true });
    expect(parsePageReporting('11', BUDDYINFO)).toEqual({ order: 11, max_order: 10, active: false });
    expect(parsePageReporting('nine', BUDDYINFO)).toBeNull();
    expect(parsePageReporting('9', '')).toBeNull();
  });

  it('warns only when it is on', () => {
    expect(pageReportingWarning('validate', parsePageReporting('11', BUDDYINFO))).toBeNull();
    expect(pageReportingWarning('validate', null)).toBeNull();
    const w = pageReportingWarning('calibrate', parsePageReporting('9', BUDDYINFO));
    expect(w).toMatch(/^calibrate: warning: .*free page reporting, blocks of order 9 and up.*--pause-page-reporting/);
  });
});

describe('free page reporting: paused for a measurement', () => {
  it('sets the order one above the largest, and puts it back once', () => {
    const io = fakeIo(9);
    const p = pausePageReporting(io.read(), io.write)!;
    expect(p).toMatchObject({ before: 9, set: 11 });
    expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`]);
    p.restore();
    p.restore();
    expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`, `${REPORTING_ORDER_FILE}=9`]);
  });

  it('does nothing when it is off already', () => {
    const io = fakeIo(11);
    expect(pausePageReporting(io.read(), io.write)).toBeNull();
    expect(io.writes).toEqual([]);
  });

  it('an order it cannot write is refused naming the file and root (bad input: exit 2)', () => {
    const io = fakeIo(9, true);
    expect(() => pausePageReporting(io.read(), io.write)).toThrow(InputError);
    expect(() => pausePageReporting(io.read(), io.write)).toThrow(`cannot pause free page reporting: writing 11 to ${REPORTING_ORDER_FILE} failed (EACCES: permission denied); run as root, or leave out --pause-page-reporting`);
  });

  it('the measurement runs paused, and the order comes back even when it fails', async () => {
    const io = fakeIo(9);
    const said: string[] = [];
    const seen = await measureWithReporting('validate', true, (l) => said.push(l), async (r) => {
      expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`]);
      return r;
    }, io);
    expect(seen).toEqual({ order: 9, max_order: 10, active: true, paused: true });
    expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`, `${REPORTING_ORDER_FILE}=9`]);
    expect(said).toEqual([`validate: free page reporting paused for the measurement (${REPORTING_ORDER_FILE}: 9 -> 11; put back to 9 at the end)`]);

    const io2 = fakeIo(9);
    await expect(measureWithReporting('validate', true, () => {}, async () => {
      throw new Error('fio failed');
    }, io2)).rejects.toThrow('fio failed');
    expect(io2.writes).toEqual([`${REPORTING_ORDER_FILE}=11`, `${REPORTING_ORDER_FILE}=9`]);
  });

  it('left on, the measurement runs as it is and the state is recorded', async () => {
    const io = fakeIo(9);
    const seen = await measureWithReporting('validate', false, () => {}, async (r) => r, io);
    expect(seen).toEqual({ order: 9, max_order: 10, active: true, paused: false });
    expect(io.writes).toEqual([]);
  });
});

describe('free page reporting: what the host took back before the pause, backed again', () => {
  it('the pause primes the free memory in the measurement directory; left on, or without a directory, it does not', () => {
    const primed: string[] = [];
    const said: string[] = [];
    const io = { ...sysfsLikeIo(9), prime: (dir: string) => (primed.push(dir), null) };
    holdReporting('validate', true, (l) => said.push(l), io, '/data/x').end();
    expect(primed).toEqual(['/data/x']);
    expect(said[1]).toBe(`validate: ${PRIME_MIB} MiB written and read through the page cache in /data/x and dropped, so that the free memory the host had taken back is backed again`);
    holdReporting('validate', false, () => {}, io, '/data/y').end();
    holdReporting('validate', true, () => {}, io).end();
    expect(primed).toEqual(['/data/x']);
  });

  it('a prime that fails is a warning, and the measurement goes on paused', () => {
    const said: string[] = [];
    const io = { ...sysfsLikeIo(9), prime: () => 'dd not found' };
    const hold = holdReporting('calibrate', true, (l) => said.push(l), io, '/d');
    expect(hold.record).toMatchObject({ paused: true });
    hold.end();
    expect(said[1]).toBe('calibrate: warning: the free memory the host took back before the pause was not backed again (dd not found): the first run may still meet its faults');
    expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`, `${REPORTING_ORDER_FILE}=9`]);
  });

  it('primeFreeMemory writes and reads a file of its own and removes it; a file of that name is left alone', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-prime-'));
    expect(primeFreeMemory(d, 4)).toBeNull();
    expect(readdirSync(d)).toEqual([]);
    writeFileSync(join(d, `syncsim-prime-${process.pid}`), 'mine');
    expect(primeFreeMemory(d, 4)).toMatch(/exists \(not syncsim's to replace\)$/);
    expect(readFileSync(join(d, `syncsim-prime-${process.pid}`), 'utf8')).toBe('mine');
    expect(primeFreeMemory(join(d, 'missing'), 4)).toMatch(/^dd .* failed: /);
  });
});

describe('free page reporting: a session of measurements (npm run validate)', () => {
  it('paused for the session: its calibration and each job record the state they ran under (paused, order 9), and none pauses again or warns', async () => {
    const io = sysfsLikeIo(9);
    const said: string[] = [];
    const inner: ReportingRecord[] = [];
    await measureWithReporting('validate', true, (l) => said.push(l), async () => {
      // as npm run validate runs them, in its process: `syncsim calibrate`, then each job's `syncsim validate`, none with --pause-page-reporting
      inner.push(await measureWithReporting('calibrate', false, (l) => said.push(l), async (r) => r, io));
      inner.push(...await Promise.all(['a', 'b'].map(() => measureWithReporting('validate', false, (l) => said.push(l), async (r) => r, io))));
    }, io);
    const paused = { order: 9, max_order: 10, active: true, paused: true };
    expect(inner).toEqual([paused, paused, paused]);
    expect(io.writes).toEqual([`${REPORTING_ORDER_FILE}=11`, `${REPORTING_ORDER_FILE}=9`]);
    expect(said).toEqual([`validate: free page reporting paused for the measurement (${REPORTING_ORDER_FILE}: 9 -> 11; put back to 9 at the end)`]);
  });

  it('left on: the session warns once, and its measurements record it on', async () => {
    const io = sysfsLikeIo(9);
    const said: string[] = [];
    const inner: ReportingRecord[] = [];
    await measureWithReporting('validate', false, (l) => said.push(l), async () => {
      inner.push(await measureWithReporting('calibrate', false, (l) => said.push(l), async (r) => r, io));
      inner.push(await measureWithReporting('validate', false, (l) => said.push(l), async (r) => r, io));
    }, io);
    expect(inner).toEqual([{ order: 9, max_order: 10, active: true, paused: false }, { order: 9, max_order: 10, active: true, paused: false }]);
    expect(said).toEqual([pageReportingWarning('validate', io.read())]);
    expect(io.writes).toEqual([]);
  });

  it('a measurement after the session is its own again: it warns, and pauses when asked', async () => {
    const io = sysfsLikeIo(9);
    await measureWithReporting('validate', true, () => {}, async () => {}, io);
    const said: string[] = [];
    expect(await measureWithReporting('calibrate', false, (l) => said.push(l), async (r) => r, io)).toEqual({ order: 9, max_order: 10, active: true, paused: false });
    expect(said).toEqual([pageReportingWarning('calibrate', io.read())]);
  });
});

describe('free page reporting: put back when the process ends in the middle', () => {
  const CHILD = join(import.meta.dirname, 'workers', 'page-reporting-child.ts');
  /** Runs the child (test/workers/page-reporting-child.ts) on an order file of 9; `signal` sent once it says it paused. */
  const child = async (mode: 'exit' | 'wait', signal?: NodeJS.Signals) => {
    const file = join(mkdtempSync(join(tmpdir(), 'syncsim-page-reporting-')), 'order');
    writeFileSync(file, '9\n');
    const c = spawn(process.execPath, ['--import', 'tsx', CHILD, file, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    c.stdout.on('data', (b) => {
      stdout += b;
      if (signal && stdout.includes('\n')) c.kill(signal);
    });
    c.stderr.on('data', (b) => (stderr += b));
    const code = await new Promise<number | null>((res) => c.on('exit', (n) => res(n)));
    return { code, stdout, stderr, order: readFileSync(file, 'utf8') };
  };

  it('by process.exit (standard output that cannot be written: scripts/cli.ts)', async () => {
    const r = await child('exit');
    expect([r.code, r.stderr, r.order]).toEqual([2, '', '9\n']);
  });

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('by %s (cleanupOnInterrupt)', async (sig, code) => {
    const r = await child('wait', sig);
    expect(r.stdout).toBe('paused at 11\n');
    expect([r.code, r.order]).toEqual([code, '9\n']);
    expect(r.stderr).toMatch(new RegExp(`interrupted \\(${sig}\\)`));
  });
});

describe('free page reporting: the command line', () => {
  it('validate refuses a bad job or profile before it pauses reporting or warns of it: the error alone, exit 2, the order untouched', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-page-reporting-'));
    // a job that does not parse (refused before fio is asked its version), and a good one with a profile that does not load
    writeFileSync(join(d, 'bad.fio'), '[j]\ninclude other.fio\n');
    writeFileSync(join(d, 'good.fio'), '[j]\nioengine=mmap\nrw=write\nbs=4k\nsize=64k\nfsync=4\n');
    writeFileSync(join(d, 'bad.yaml'), 'device:\n  channels: many\n');
    for (const [job, more] of [['bad.fio', []], ['good.fio', ['--calibration', 'bad.yaml']]] as const) {
      for (const pause of [[], ['--pause-page-reporting']]) {
        const io = sysfsLikeIo(9);
        // as the command line runs it (scripts/cli.ts), with this io
        const r = await commandHere(() => runValidate(['--fio-job', job, ...more, ...pause, '--out', 'v'], undefined, io).catch((e) => reportError(e, 'validate')), d);
        expect(r.code).toBe(2);
        // one line, the refusal: no warning or pause before it
        expect(r.stderr).toMatch(/^syncsim: [^\n]*\n$/);
        expect(r.stderr).toMatch(job === 'bad.fio' ? /bad\.fio:2: .*include/ : /bad\.yaml|fio not found/);
        expect(io.writes).toEqual([]);
        expect(readdirSync(d).sort()).toEqual(['bad.fio', 'bad.yaml', 'good.fio']);
      }
    }
  });

  it('calibrate refuses a bad --dir before it pauses reporting or warns of it: the error alone, exit 2, the order untouched', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-page-reporting-'));
    for (const pause of [[], ['--pause-page-reporting']]) {
      const io = sysfsLikeIo(9);
      const r = await commandHere(() => runCalibrate(['--dir', join(d, 'missing'), ...pause, '-o', 'device.yaml'], io).catch((e) => reportError(e, 'calibrate')), d);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^syncsim: [^\n]*missing[^\n]*\n$/);
      expect(io.writes).toEqual([]);
      expect(readdirSync(d)).toEqual([]);
    }
  });

  it('validate --trace refuses --pause-page-reporting (nothing runs fio), exit 2, nothing written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-page-reporting-'));
    writeFileSync(join(d, 't.csv'), 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n10,a,write,0x10000,4096,,,\n20,a,msync,0x10000,4096,SYNC,,\n');
    const r = await syncsimHere(['validate', '--trace', 't.csv', '--pause-page-reporting', '--out', 'v'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syncsim: --pause-page-reporting applies to --fio-job only/);
  });
});
