/**
 * The CPU work of cleaning a cluster comes before its write reaches the
 * device, in every personality: FreeBSD (vm_pageout_flush → putpages builds
 * the buf, then writes it), XNU (the UPL, then VNOP_PAGEOUT) and Linux
 * (ext4_do_writepages under a block plug). Until 2026-12-07 FreeBSD and XNU
 * submitted the write first and charged the CPU beside it, so an msync that
 * waits for each cluster's write (a partial range with SYNC) hid its CPU
 * time behind its own I/O: `cpu.clean_page_us` 0 and 9.28 gave the same
 * latency (found by helper 164 trying the tool as a new user).
 */
import { describe, expect, it } from 'vitest';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;

/** One msync of SYNC over the first 64 KiB of a 1 MiB file mapping, after stores to 8 pages in it, none adjacent. */
function rows() {
  const b = new TraceBuilder().map(0, A, 256 * PS, 'f');
  for (let p = 0; p < 8; p++) b.op(10 + p, 'write', A + 2 * p * PS, 8);
  b.op(100, 'msync', A, 16 * PS, 'SYNC');
  return b.rows;
}

/** The msync's latency (ns) under `personality` with `cleanUs` of CPU a page and `ioUs` a write. */
function msyncNs(personality: string, cleanUs: number, ioUs = 0): number {
  const o = simulate(rows(), {
    personality, replay: 'open', pagein: false,
    device: { profile: 'sata-ssd', channels: 4, write_latency: { dist: 'constant', mean_us: 50 }, read_latency: { dist: 'constant', mean_us: 50 }, write_cache: false },
    cpu: { syscall_us: 0, clean_page_us: cleanUs, clean_io_us: ioUs, fault_page_us: 0, wire_page_us: 0 },
  });
  expect(o.syncs).toHaveLength(1);
  expect(o.syncs[0]!.result).toBe('OK');
  return o.syncs[0]!.tDoneNs - o.syncs[0]!.tIssueNs;
}

describe('the CPU of cleaning a cluster comes before its write', () => {
  for (const personality of ['freebsd', 'xnu']) {
    it(`${personality}: an msync that waits for each of its 8 one-page writes takes 8 × (clean_page_us + clean_io_us) longer than with no CPU`, () => {
      const none = msyncNs(personality, 0);
      expect(msyncNs(personality, 9.28) - none).toBe(8 * 9280);
      expect(msyncNs(personality, 50, 2) - none).toBe(8 * 52_000);
    });
  }

  it('linux: the CPU of all 8 pages, then the 8 writes together under the plug', () => {
    const none = msyncNs('linux', 0);
    expect(msyncNs('linux', 9.28) - none).toBe(8 * 9280);
  });
});
