/**
 * Syscall translation: what each tracked call, in entry order, does to the
 * traced address spaces and which native rows it becomes (the table in
 * traces/import/strace.ts). Arguments are checked as strace prints them
 * (call-args.ts): a malformed one is a TraceError naming the call and the argument.
 */
import { TraceError } from '../../trace-error.ts';
import { ADDR_LIMIT, ADVICE_FLAGS, Flag } from '../../types.ts';
import { formatTimeUs, type RowInput } from '../../writer.ts';
import type { ImportNames, ImportOptions, ImportStats } from '../importer.ts';
import { ASSUME_DIRTY_MODES, assumeDirtyMode, type AssumeDirtyMode } from './assume-dirty.ts';
import type { AddressSpace, Mapping, Proc, Range } from './address-space.ts';
import type { Call } from './calls.ts';
import { CallReader, EXPECT } from './call-args.ts';
import { decodeEscaped, parseCString, parseNum, splitArgs } from './grammar.ts';
import { HANDLERS } from './handlers.ts';
import {
  MADV_ACCESS, MAP_ANONYMOUS, MAP_BITS, MAP_LOCKED, MAP_PRIVATE, MAP_SHARED, MCL_BITS, MCL_CURRENT, MCL_FUTURE, MS_FLAGS, O_CLOEXEC, PROT_BITS, WIRE_USER,
} from './linux.ts';
import { cloneFlags, ProcessTable } from './processes.ts';
import { UnmappedCalls } from './unmapped.ts';
import { fitWire } from './wide-wire.ts';
import { fitStores } from './wide-store.ts';

/** The stats every strace import reports, in this order, from 0. */
const STATS = ['strace_lines', 'calls', 'failed_calls', 'mmap_failed', 'never_returned', 'orphan_resumed', 'restarted', 'out_of_range', 'assumed_writes', 'tasks'];

/** Turns complete calls, in entry order, into native rows (collected in `out`). */
export class StraceTranslator extends CallReader {
  private readonly ps: number;
  private readonly assume: AssumeDirtyMode;
  /** `--assume-dirty measured`: an msync that returned without a duration (no `-T`) is an error, not 0 stores. */
  private readonly needsDuration: boolean;
  /** Per process, when `syncsim record`'s last `syncsim_dirty` line was stamped (the msync's call, before the scan of its range), until that msync's own line. */
  private readonly dirtyAt = new Map<string, number>();
  /** Output rows not yet taken. */
  out: RowInput[] = [];
  private readonly procs: ProcessTable;
  private anonSeq = 0;
  private unknownSeq = 0;
  private readonly unmapped: UnmappedCalls;

  /**
   * Throws a TraceError for an unknown `--assume-dirty` mode; sets every stat of {@link STATS} to 0.
   * `names.unmapped_calls` gets the first tasks counted in `unmapped_calls` (unmapped.ts).
   */
  constructor(path: string, opts: ImportOptions, private readonly stats: ImportStats, names?: ImportNames) {
    super(path);
    this.ps = opts.pageSize;
    const name = opts.assumeDirty ?? 'none';
    const mode = assumeDirtyMode(name, opts.assumeDirtySeed ?? 1, opts.pagesForMeasured);
    if (!mode) {
      const why = name === 'measured' ? ' (measured needs a calibration: import --calibration FILE)' : '';
      throw new TraceError(path, 0, '-', `unknown --assume-dirty mode${why} (expected one of ${Object.keys(ASSUME_DIRTY_MODES).join(', ')})`, name);
    }
    this.assume = mode;
    this.needsDuration = name === 'measured';
    for (const k of STATS) stats[k] = 0;
    this.procs = new ProcessTable(stats);
    this.unmapped = new UnmappedCalls(stats, names);
  }

  private count(k: string, n = 1): void {
    this.stats[k] = (this.stats[k] ?? 0) + n;
  }

  /** Translates one complete call or exit. */
  process(c: Call): void {
    if (c.kind === 'exit') {
      this.onExit(c);
      return;
    }
    if (c.errno.startsWith('ERESTART')) {
      this.count('restarted');
      return;
    }
    if (c.errno !== '') this.count('failed_calls');
    if (c.ret === '?' && c.errno === '') this.count('never_returned');
    HANDLERS[c.name]!(this, this.procs.get(c.pid), c, splitArgs(c.args));
  }

  /** The row's `x_` values for call `c` (`measured`: this row is the call itself). */
  private extra(c: Call, measured: boolean, syscall = c.name): Record<string, string> {
    return {
      x_measured_us: measured && c.durNs >= 0 ? formatTimeUs(c.durNs) : '',
      x_result: measured ? this.result(c) : '',
      x_syscall: syscall,
      x_strace_line: String(c.line),
    };
  }

  private result(c: Call): string {
    if (c.errno !== '') return c.errno;
    return c.ret === '?' ? '?' : 'OK';
  }

  /** Adds `row` to the output; false (and counted as out_of_range) when it lies past the trace's address range. */
  private emit(row: RowInput): boolean {
    if (!(row.addr < ADDR_LIMIT && row.addr + row.len < ADDR_LIMIT)) {
      this.count('out_of_range');
      return false;
    }
    this.out.push(row);
    return true;
  }

  private roundUp(n: number): number {
    return Math.ceil(n / this.ps) * this.ps;
  }

  /**
   * The `wire USER|NOHOLES` rows of [addr, addr+len) in `s` for call `c` (`measured`: the first
   * row is the call itself), within the run's bound on one op (wide-wire.ts): a range wider than
   * it is split when the lock was made (`made`, default: `c` succeeded), else cut past its first
   * hole or left out, each counted.
   */
  private wire(s: AddressSpace, c: Call, addr: number, len: number, measured: boolean, made = this.ok(c)): void {
    const fit = fitWire(s.maps, addr, len, this.ps, made);
    if (fit.how !== 'whole') this.count(`wide_wire_${fit.how.replace('-', '_')}`);
    let first = measured;
    for (const [a, l] of fit.rows) {
      this.emit({ tNs: c.tNs, task: s.task, op: 'wire', addr: a, len: l, flags: WIRE_USER, extra: this.extra(c, first) });
      first = false;
    }
  }

  /**
   * `name`, a file name decoded from strace's escapes, as an object name: one holding a NUL byte
   * (`\0`, which no path holds: the kernel ends it there) is refused, as the trace reader would.
   */
  private objectName(c: Call, column: string, name: string, text: string): string {
    if (name.includes('\0')) this.fail(c.line, `${c.name}.${column}`, 'NUL byte in the file name (a path ends at its first NUL; a trace object cannot hold one)', text);
    return name;
  }

  /** Adds a mapping and its rows (unmapping what it replaces, wiring it when locked). */
  private addMapping(p: Proc, c: Call, m: Mapping, locked: boolean): void {
    const s = p.space;
    if (m.start % this.ps !== 0) {
      this.fail(c.line, `${c.name}.result`, `expected an address aligned to the page size ${this.ps} (set the page size of the traced system)`, c.ret);
    }
    if (m.offset % this.ps !== 0) {
      this.fail(c.line, `${c.name}.offset`, `expected an offset aligned to the page size ${this.ps} (set the page size of the traced system)`, String(m.offset));
    }
    if (s.maps.overlaps(m.start, m.end)) {
      this.emit({ tNs: c.tNs, task: s.task, op: 'unmap', addr: m.start, len: m.end - m.start, extra: this.extra(c, false) });
      s.maps.remove(m.start, m.end);
    }
    s.maps.insert({ ...m, locked: locked || s.lockFuture });
    this.emit({ tNs: c.tNs, task: s.task, op: 'map', addr: m.start, len: m.end - m.start, flags: m.flags, object: m.object, offset: m.offset, extra: this.extra(c, true) });
    if (locked || s.lockFuture) {
      this.wire(s, c, m.start, m.end - m.start, false);
    }
  }

  /** The object a mapping of `fd` is named after. */
  private fileObject(p: Proc, c: Call, fd: number, text: string): string {
    const shown = /<(.*)>$/s.exec(text);
    if (shown) return this.objectName(c, 'fd', decodeEscaped(shown[1]!), text);
    let f = p.fds.get(fd);
    if (!f) {
      f = { object: `fd${fd}.${p.space.task}.${++this.unknownSeq}`, cloexec: false };
      p.fds.set(fd, f);
    }
    return f.object;
  }

  /** mmap, mmap2 (`unit`: bytes per offset unit). */
  mmap(p: Proc, c: Call, a: string[], unit: number): void {
    if (a.length !== 6) this.fail(c.line, c.name, 'expected 6 arguments (addr, length, prot, flags, fd, offset)', c.args);
    const len = this.arg(c, a, 1, 'length', 'len');
    const prot = this.bits(c, a, 2, 'prot', PROT_BITS, 'PROT_');
    const flags = this.bits(c, a, 3, 'flags', MAP_BITS, 'MAP_');
    const fd = this.arg(c, a, 4, 'fd', 'fd');
    const offset = this.arg(c, a, 5, 'offset', 'len') * unit;
    if (!this.ok(c)) {
      this.count('mmap_failed');
      return;
    }
    const addr = this.returned(c, 'the mapped address');
    const anon = (flags & MAP_ANONYMOUS) !== 0;
    const priv = anon || (flags & (MAP_SHARED | MAP_PRIVATE)) === MAP_PRIVATE;
    const object = anon ? `anon.${++this.anonSeq}` : this.fileObject(p, c, fd, a[4]!);
    this.addMapping(p, c, { start: addr, end: addr + this.roundUp(len), object, offset: anon ? 0 : offset, flags: priv ? Flag.PRIVATE : 0, prot }, (flags & MAP_LOCKED) !== 0);
  }

  /** munmap. */
  munmap(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 2) this.fail(c.line, c.name, 'expected 2 arguments (addr, length)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    this.emit({ tNs: c.tNs, task: p.space.task, op: 'unmap', addr, len, extra: this.extra(c, true) });
    if (c.errno === '') p.space.maps.remove(Math.floor(addr / this.ps) * this.ps, this.roundUp(addr + len));
  }

  /** mremap: unmap of the old range, map of the new one. */
  mremap(p: Proc, c: Call, a: string[]): void {
    if (a.length < 4 || a.length > 5) this.fail(c.line, c.name, 'expected 4 or 5 arguments (old_address, old_size, new_size, flags[, new_address])', c.args);
    const old = this.arg(c, a, 0, 'old_address', 'addr');
    const oldLen = this.arg(c, a, 1, 'old_size', 'len'), newLen = this.arg(c, a, 2, 'new_size', 'len');
    if (!this.ok(c)) return;
    const addr = this.returned(c, 'the new address');
    const s = p.space, m = s.maps.at(old);
    if (oldLen > 0) {
      this.emit({ tNs: c.tNs, task: s.task, op: 'unmap', addr: old, len: oldLen, extra: this.extra(c, false) });
      s.maps.remove(old, old + this.roundUp(oldLen));
    }
    if (!m) {
      this.count('mremap_unknown');
      return;
    }
    this.addMapping(p, c, { ...m, start: addr, end: addr + this.roundUp(newLen), offset: m.offset + (old - m.start) }, false);
  }

  /** mprotect, pkey_mprotect: no row; the protection decides what `mapped-before-msync` stores. */
  mprotect(p: Proc, c: Call, a: string[]): void {
    if (a.length < 3) this.fail(c.line, c.name, 'expected 3 arguments (addr, length, prot)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    const prot = this.bits(c, a, 2, 'prot', PROT_BITS, 'PROT_');
    if (this.ok(c)) p.space.maps.protect(addr, addr + this.roundUp(len), prot);
  }

  /** msync, after the stores the `--assume-dirty` mode synthesises. */
  msync(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 3) this.fail(c.line, c.name, 'expected 3 arguments (addr, length, flags)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    const ms = this.bits(c, a, 2, 'flags', Object.fromEntries(Object.entries(MS_FLAGS).map(([k, v]) => [k, v.value])), 'MS_');
    let flags = 0, known = 0;
    for (const { value, flag } of Object.values(MS_FLAGS)) {
      known |= value;
      if (ms & value) flags |= flag;
    }
    // a flag the trace has no name for (a bit, or an MS_ name this importer does not know) is dropped, and counted
    const names = a[2]!.replace(/\/\*.*?\*\//g, '').split('|').map((n) => n.trim());
    if (ms & ~known || names.some((n) => n.startsWith('MS_') && !Object.hasOwn(MS_FLAGS, n))) this.count('msync_unknown_flags');
    const s = p.space;
    if (this.ok(c)) this.unmapped.check(s, Math.floor(addr / this.ps) * this.ps, this.roundUp(addr + len)); // the kernel fails (ENOMEM) on any hole
    if (this.needsDuration && c.durNs < 0 && c.ret !== '?') {
      this.fail(c.line, 'msync.duration', "--assume-dirty measured needs each msync's duration, the '<SECONDS>' strace -T writes at the end of the line; capture with strace -f -ttt -T", `msync(${c.args}) = ${c.ret}${c.errno === '' ? '' : ` ${c.errno}`}`);
    }
    const stores = this.stores(s, this.assume.stores(s, addr, len, { pageSize: this.ps, measuredUs: c.durNs >= 0 ? c.durNs / 1000 : -1 }));
    for (const [wa, wl] of stores) {
      // counted only when written: a write past the address range is out_of_range instead
      if (this.emit({ tNs: c.tNs, task: s.task, op: 'write', addr: wa, len: wl, extra: this.extra(c, false, 'assume-dirty') })) this.count('assumed_writes');
    }
    this.emit({ tNs: c.tNs, task: s.task, op: 'msync', addr, len, flags, extra: this.extra(c, true) });
    // the time syncsim record's scan of the range took: its msync line comes that long after the stores' lines
    const scanFrom = this.dirtyAt.get(p.pid);
    if (scanFrom !== undefined && c.tNs >= scanFrom) {
      this.count('dirty_scan_msyncs');
      this.count('dirty_scan_us', (c.tNs - scanFrom) / 1000);
    }
    this.dirtyAt.delete(p.pid);
  }

  /** A run of pages `syncsim record` saw dirty just before an msync: one store covering it. */
  dirty(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 2) this.fail(c.line, c.name, 'expected 2 arguments (addr, length)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    this.count('recorded_dirty_pages', Math.ceil(len / this.ps));
    if (!this.dirtyAt.has(p.pid)) this.dirtyAt.set(p.pid, c.tNs);
    this.unmapped.check(p.space, Math.floor(addr / this.ps) * this.ps, this.roundUp(addr + len));
    for (const [wa, wl] of this.stores(p.space, [[addr, len]])) {
      this.emit({ tNs: c.tNs, task: p.space.task, op: 'write', addr: wa, len: wl, extra: this.extra(c, false, 'syncsim_dirty') });
    }
  }

  /** `ranges`, stores in `s` before one msync, as rows within the run's bounds (wide-store.ts); what was cut, split or left out is counted. */
  private stores(s: AddressSpace, ranges: Range[]): Range[] {
    const fit = fitStores(s.maps, ranges, this.ps);
    for (const k of ['split', 'cut', 'left_out'] as const) if (fit[k] > 0) this.count(`wide_store_${k}`, fit[k]);
    return fit.rows;
  }

  /** mlock, mlock2, munlock (`nargs`: the argument counts the call takes). */
  wireCall(p: Proc, c: Call, a: string[], op: 'wire' | 'unwire', nargs: number[]): void {
    if (!nargs.includes(a.length)) this.fail(c.line, c.name, `expected ${nargs.join(' or ')} arguments (addr, length${nargs.length > 1 ? '[, flags]' : ''})`, c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    if (op === 'wire') this.wire(p.space, c, addr, len, true);
    else this.emit({ tNs: c.tNs, task: p.space.task, op, addr, len, flags: WIRE_USER, extra: this.extra(c, true) });
    if (this.ok(c)) p.space.maps.lock(Math.floor(addr / this.ps) * this.ps, this.roundUp(addr + len), op === 'wire');
  }

  /**
   * madvise with MADV_NORMAL, MADV_RANDOM or MADV_SEQUENTIAL: the mapped parts
   * of the range get the advice as their map flag (an unmap and a map of each
   * part whose advice changes, wired again when it was; dirty and resident
   * pages stay with the object), as Linux sets it on every VMA of the range,
   * also when a hole makes it fail with ENOMEM. Other advice: no row.
   */
  madvise(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 3) this.fail(c.line, c.name, 'expected 3 arguments (addr, length, advice)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    const text = a[2]!.trim();
    // by name, or by number as `strace -X raw` writes it (decimal or hex: the grammar's parseNum)
    const num = parseNum(text);
    const access = Object.entries(MADV_ACCESS).find(([name, v]) => name === text || v.value === num)?.[1];
    if (!access) {
      this.count('madvise_other');
      return;
    }
    if (!this.ok(c) && c.errno !== 'ENOMEM') return;
    const s = p.space, start = Math.floor(addr / this.ps) * this.ps, end = this.roundUp(addr + len);
    let first = true;
    for (const piece of s.maps.pieces(start, end)) {
      const flags = (piece.m.flags & ~ADVICE_FLAGS) | access.flag;
      if (flags === piece.m.flags) continue;
      for (const m of s.maps.update(piece.start, piece.end, { flags })) {
        this.emit({ tNs: c.tNs, task: s.task, op: 'unmap', addr: m.start, len: m.end - m.start, extra: this.extra(c, first) });
        first = false;
        this.emit({ tNs: c.tNs, task: s.task, op: 'map', addr: m.start, len: m.end - m.start, flags, object: m.object, offset: m.offset, extra: this.extra(c, false) });
        if (m.locked) this.wire(s, c, m.start, m.end - m.start, false, true);
      }
    }
  }

  /** Rows of `op` over every run of contiguous mappings of the space (the first carries the call). */
  private wholeSpace(s: AddressSpace, c: Call, op: 'wire' | 'unwire' | 'unmap', measured: boolean): void {
    let first = measured;
    for (const [addr, len] of s.maps.runs()) {
      if (op === 'wire') this.wire(s, c, addr, len, first);
      else this.emit({ tNs: c.tNs, task: s.task, op, addr, len, flags: op === 'unmap' ? 0 : WIRE_USER, extra: this.extra(c, first) });
      first = false;
    }
  }

  /** mlockall. */
  mlockall(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 1) this.fail(c.line, c.name, 'expected 1 argument (flags)', c.args);
    const flags = this.bits(c, a, 0, 'flags', MCL_BITS, 'MCL_');
    if (flags & MCL_CURRENT) {
      this.wholeSpace(p.space, c, 'wire', true);
      if (this.ok(c)) for (const m of p.space.maps.list) m.locked = true;
    }
    if (flags & MCL_FUTURE && this.ok(c)) p.space.lockFuture = true;
  }

  /** munlockall. */
  munlockall(p: Proc, c: Call): void {
    this.wholeSpace(p.space, c, 'unwire', true);
    for (const m of p.space.maps.list) m.locked = false;
    p.space.lockFuture = false;
  }

  /** open, openat, openat2, creat: the returned fd names its file. */
  opened(p: Proc, c: Call, pathArg: string | undefined, flagsArg: string | undefined): void {
    if (!this.ok(c)) return;
    const fd = this.returned(c, 'a file descriptor');
    let object: string;
    if (c.retPath !== '') object = this.objectName(c, 'result', c.retPath, `${c.ret}<${c.retPath}>`);
    else {
      const path = pathArg === undefined ? undefined : parseCString(pathArg);
      if (path === undefined) this.fail(c.line, `${c.name}.pathname`, `expected ${EXPECT.path}`, pathArg ?? c.args);
      object = this.objectName(c, 'pathname', path, pathArg!);
    }
    const cloexec = flagsArg !== undefined && (/\bO_CLOEXEC\b/.test(flagsArg) || (Number(parseNum(flagsArg)) & O_CLOEXEC) !== 0);
    p.fds.set(fd, { object, cloexec });
  }

  /** close. */
  close(p: Proc, c: Call, a: string[]): void {
    const fd = this.arg(c, a, 0, 'fd', 'fd');
    if (c.errno === '') p.fds.delete(fd);
  }

  /** dup, dup2, dup3, fcntl(F_DUPFD*): the new fd names the old one's file. */
  duplicated(p: Proc, c: Call, a: string[], cloexec: boolean): void {
    if (!this.ok(c)) return;
    const from = p.fds.get(this.arg(c, a, 0, 'oldfd', 'fd'));
    const to = this.returned(c, 'a file descriptor');
    if (from) p.fds.set(to, { object: from.object, cloexec });
    else p.fds.delete(to);
  }

  /** fcntl, fcntl64: only the duplicating commands matter. */
  fcntl(p: Proc, c: Call, a: string[]): void {
    const cmd = a[1] ?? '';
    if (cmd === 'F_DUPFD' || cmd === 'F_DUPFD_CLOEXEC') this.duplicated(p, c, a, cmd === 'F_DUPFD_CLOEXEC');
  }

  /** clone, clone3, fork, vfork: a child with a copied space gets a `map` of each of the parent's mappings. */
  clone(p: Proc, c: Call): void {
    if (!this.ok(c)) return;
    const child = this.returned(c, 'the child pid');
    const space = this.procs.clone(p, String(child), cloneFlags(c.name, c.args));
    if (!space) return;
    for (const m of space.maps.entries()) {
      this.emit({ tNs: c.tNs, task: space.task, op: 'map', addr: m.start, len: m.end - m.start, flags: m.flags, object: m.object, offset: m.offset, extra: this.extra(c, false) });
    }
  }

  /** execve, execveat: the old program's mappings are unmapped (a vfork child just leaves its parent's space). */
  execve(p: Proc, c: Call): void {
    if (!this.ok(c)) return;
    const s = this.procs.exec(p);
    if (!s) return;
    this.wholeSpace(s, c, 'unmap', false);
    s.maps.clear();
    s.lockFuture = false;
  }

  /** A process exit: the last one out unmaps the space. */
  private onExit(c: Call): void {
    const s = this.procs.exit(c.pid);
    if (!s) return;
    this.wholeSpace(s, c, 'unmap', false);
    s.maps.clear();
  }
}
