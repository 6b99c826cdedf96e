/**
 * `syncsim import --help` gives every format's input fields and their units (a new user's trial,
 * 2026-12-06: neither the help nor the README said that an MSR Timestamp and ResponseTime are
 * Windows filetime ticks of 100 ns; only an error message did).
 */
import { describe, expect, it } from 'vitest';
import { syncsimHere } from './cli-here.ts';
import { IMPORTERS } from '../traces/import/index.ts';

describe('import --help', () => {
  it('lists the fields and units of every format, each line within 80 columns', async () => {
    const r = await syncsimHere(['import', '--help']);
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('Input fields and units'), r.stdout.indexOf('\nOptions:'));
    expect(section).toBe(`Input fields and units (every format's times become t_us of the trace, µs
from its first event):
  fio-iolog  v3: TIMESTAMP FILE ACTION [OFFSET LENGTH]
             v2: FILE ACTION [OFFSET LENGTH]
             TIMESTAMP: µs since the job started; OFFSET, LENGTH: bytes
             v2, no clock: 'FILE wait OFFSET LENGTH' moves it on by OFFSET µs
  blkparse   MAJ,MIN CPU SEQ SECONDS.NANOSECONDS PID ACTION RWBS, then for a Q
               event SECTOR + COUNT [PROCESS]
             time: seconds since the trace started, to the ns
             SECTOR, COUNT: 512-byte sectors, whatever the device's block size
  msr        Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime
             Timestamp: Windows filetime, an integer of 100 ns ticks since 1601
               (only the differences count: time 0 is the first line)
             Type: Read or Write; Offset, Size: bytes
             ResponseTime: 100 ns ticks, kept in µs as x_response_us
  strace     [PID] SECONDS.MICROSECONDS CALL(ARGS) = RESULT <SECONDS>
             time (-ttt): seconds since the epoch, to the µs
             <SECONDS> (-T): the call's duration, kept in µs as x_measured_us
`);
    for (const line of section.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // every format has its fields there
    for (const i of IMPORTERS) expect(section).toContain(`\n  ${i.format.padEnd(9)}  `);
  });
});
