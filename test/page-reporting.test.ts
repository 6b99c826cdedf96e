/**
 * Free page reporting of a guest (scripts/validate/page-reporting.ts): reading its order and
 * the buddy allocator's largest, pausing it for a measurement and putting it back, also when
 * the measurement fails, and the warning when it is left on.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxBuddyOrder, measureWithReporting, pageReportingWarning, parsePageReporting, pausePageReporting, REPORTING_ORDER_FILE, type ReportingIo, warnOfReporting } from '../scripts/validate/page-reporting.ts';
import { syncsimHere } from './cli-here.ts';
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

  it('left on, the measurement runs as it is, says nothing before it starts, and the state is recorded', async () => {
    const io = fakeIo(9);
    const said: string[] = [];
    const seen = await measureWithReporting('validate', false, (l) => said.push(l), async (r) => r, io);
    expect(seen).toEqual({ order: 9, max_order: 10, active: true, paused: false });
    expect(io.writes).toEqual([]);
    expect(said).toEqual([]);
  });

  it('as a measurement starts: a warning when reporting is on and not paused, once a process', () => {
    const said: string[] = [];
    const memo = { warned: false }; // this test's own "process" (other test files share the module's)
    const on = { ...parsePageReporting('9', BUDDYINFO)!, paused: false };
    warnOfReporting('validate', { ...on, paused: true }, (l) => said.push(l), memo);
    warnOfReporting('validate', null, (l) => said.push(l), memo);
    warnOfReporting('validate', { ...parsePageReporting('11', BUDDYINFO)!, paused: false }, (l) => said.push(l), memo);
    expect(said).toEqual([]);
    warnOfReporting('validate', on, (l) => said.push(l), memo);
    warnOfReporting('calibrate', on, (l) => said.push(l), memo);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^validate: warning: this virtual machine hands free memory back to its host/);
  });
});

describe('free page reporting: the command line', () => {
  it('validate --trace refuses --pause-page-reporting (nothing runs fio), exit 2, nothing written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-page-reporting-'));
    writeFileSync(join(d, 't.csv'), 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n10,a,write,0x10000,4096,,,\n20,a,msync,0x10000,4096,SYNC,,\n');
    const r = await syncsimHere(['validate', '--trace', 't.csv', '--pause-page-reporting', '--out', 'v'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syncsim: --pause-page-reporting applies to --fio-job only/);
  });
});
