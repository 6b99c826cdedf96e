/**
 * Importer of strace output: `strace -f -ttt -T -o FILE PROGRAM`, best with
 * `-e trace=openat,mmap,munmap,msync,mlock,munlock,mlockall,close` (add `%process` when the
 * program forks or starts threads, and `-y` for absolute file names). Lines may start with a pid
 * column (`-o FILE`), `[pid N]` (strace writing to stderr) or nothing (one process). Every call
 * that shapes an address space becomes native rows with its real flags:
 *
 * | strace | rows |
 * |---|---|
 * | `mmap`/`mmap2` (succeeded) | `map` at the returned address, `object` = the file the fd was opened from (`openat`/`open`/`creat`, `dup*`, `fcntl(F_DUPFD)`, or the `-y` path), `offset`; `MAP_PRIVATE` → `PRIVATE`; `MAP_ANONYMOUS` → a fresh anonymous object `anon.N` with `PRIVATE` (anonymous memory has no file to write back to). An overlapped mapping (`MAP_FIXED`) is unmapped first. `MAP_LOCKED` adds a `wire USER\|NOHOLES` |
 * | `munmap` | `unmap` |
 * | `mremap` (succeeded) | `unmap` of the old range, `map` of the new one (same object, offset) |
 * | `msync` | `msync` with `MS_SYNC`/`MS_ASYNC`/`MS_INVALIDATE` → `SYNC`/`ASYNC`/`INVALIDATE` |
 * | `mlock`, `mlock2` / `munlock` | `wire USER\|NOHOLES` / `unwire USER\|NOHOLES` (`MLOCK_ONFAULT` ignored) |
 * | `mlockall(MCL_CURRENT)` | `wire USER\|NOHOLES` over every run of contiguous mappings the trace has shown in that address space; `MCL_FUTURE` (when the call succeeded) also wires each later mapping right after its `map`, until `munlockall` |
 * | `munlockall` | `unwire USER\|NOHOLES` over every run of contiguous mappings |
 * | process exit (`+++ exited`/`killed`), `execve` | `unmap` of every mapping of the address space (the kernel tears it down) |
 * | `fork`/`clone` without `CLONE_VM` | the child gets a `map` of each of the parent's mappings (same objects) |
 * | `syncsim_dirty(ADDR, LEN)` (not a system call: written by `syncsim record` just before an msync, one line per run of pages the kernel held dirty) | `write` of [ADDR, ADDR+LEN) |
 *
 * Failed calls keep their op (the simulator decides its result); the real result is in
 * `x_result` (`OK`, the errno name, or `?` when the call never returned). A failed `mmap` has no
 * address and is skipped (counted in `mmap_failed`). Calls interrupted for a restart
 * (`ERESTART*`) are dropped: strace shows them again when they are restarted.
 *
 * Extra columns: `x_measured_us` (the syscall's duration from `-T`, `<0.000123>` → `123`),
 * `x_result`, `x_syscall` (the call or event a row comes from; `assume-dirty` for synthesised
 * stores) and `x_strace_line` (the strace line number).
 *
 * Tasks: a task is one address space, named `pid<N>` after the first process of it (`main` for
 * the process of unprefixed lines, whatever pid its lines show later). Threads (`clone` with
 * `CLONE_VM`, and a `vfork` child until it calls `execve`) share their creator's task, so their
 * ops are issued in one sequence. A process whose creation the trace does not show (filtered
 * out, or attached with -p) starts with the mappings the trace shows it making.
 *
 * Times: `t_us` is the call's entry time relative to the first line's timestamp; a call split
 * into `<unfinished ...>` / `<... resumed>` is placed at its entry, and rows keep entry order
 * (a bounded reorder queue holds later rows until the earlier calls have returned).
 *
 * Stores are invisible to strace: writes are synthesised only as {@link ASSUME_DIRTY_MODES}
 * says (`--assume-dirty`, default `none`).
 *
 * Memory is bounded by the live state of the traced processes (mappings, open files, calls in
 * flight), not by the length of the trace.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TraceError } from '../reader.ts';
import { ADDR_LIMIT, Flag } from '../types.ts';
import { formatTimeUs, type RowInput } from '../writer.ts';
import type { Importer, ImportOptions, ImportStats } from './importer.ts';

// ---------------------------------------------------------------------------------------------
// Synthesised stores

/** An address range [addr, addr+len). */
type Range = readonly [addr: number, len: number];

interface AssumeDirtyMode {
  /** What the mode assumes, for `--help`. */
  description: string;
  /** The stores to synthesise just before an msync of [addr, addr+len) in `space`. */
  stores(space: AddressSpace, addr: number, len: number): Range[];
}

const ASSUME_DIRTY: Readonly<Record<string, AssumeDirtyMode>> = {
  none: {
    description: 'no stores: only maps, syncs and wiring (the default)',
    stores: () => [],
  },
  'whole-range-before-msync': {
    description: 'one write of the whole msync range just before each msync (holes included)',
    stores: (_s, addr, len) => (len > 0 ? [[addr, len]] : []),
  },
  'mapped-before-msync': {
    description: 'one write of each writable (PROT_WRITE) mapping\'s part of the msync range just before each msync',
    stores: (s, addr, len) => s.maps.pieces(addr, addr + len).filter((p) => p.m.prot & PROT_WRITE).map((p) => [p.start, p.end - p.start] as const),
  },
};

/** The `--assume-dirty` modes the strace importer offers, with what each assumes. */
export const ASSUME_DIRTY_MODES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ASSUME_DIRTY).map(([k, v]) => [k, v.description]),
);

// ---------------------------------------------------------------------------------------------
// Linux constants (as strace prints them, and their values for numeric output)

const PROT_WRITE = 0x2;
const PROT_BITS: Readonly<Record<string, number>> = {
  PROT_NONE: 0, PROT_READ: 0x1, PROT_WRITE: 0x2, PROT_EXEC: 0x4, PROT_SEM: 0x8, PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000,
};
const MAP_SHARED = 0x1, MAP_PRIVATE = 0x2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_LOCKED = 0x2000;
const MAP_BITS: Readonly<Record<string, number>> = {
  MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE: 0x3, MAP_FIXED, MAP_ANONYMOUS, MAP_ANON: MAP_ANONYMOUS, MAP_LOCKED,
  MAP_FILE: 0, MAP_FIXED_NOREPLACE: 0x100000,
};
/** msync flags: Linux values and the native flag each becomes. */
const MS_FLAGS: Readonly<Record<string, { value: number; flag: number }>> = {
  MS_ASYNC: { value: 1, flag: Flag.ASYNC },
  MS_INVALIDATE: { value: 2, flag: Flag.INVALIDATE },
  MS_SYNC: { value: 4, flag: Flag.SYNC },
};
const MCL_CURRENT = 1, MCL_FUTURE = 2;
const MCL_BITS: Readonly<Record<string, number>> = { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT: 4 };
const CLONE_VM = 0x100, CLONE_VFORK = 0x4000;
const CLONE_BITS: Readonly<Record<string, number>> = { CLONE_VM, CLONE_VFORK };
const O_CLOEXEC = 0o2000000;
const WIRE_USER = Flag.USER | Flag.NOHOLES;
/** `mmap2` offsets count 4096-byte units. */
const MMAP2_UNIT = 4096;
/** Most calls held back behind one that has not returned yet (it is then taken as never returning). */
const MAX_QUEUE = 1 << 16;
/** Rows per yielded batch. */
const BATCH = 4096;

const EXTRA_COLS = ['x_measured_us', 'x_result', 'x_syscall', 'x_strace_line'] as const;

// ---------------------------------------------------------------------------------------------
// Address spaces

/** One mapping of an address space: [start, end), page rounded. */
interface Mapping {
  start: number;
  end: number;
  object: string;
  offset: number;
  /** Native map flags (PRIVATE). */
  flags: number;
  /** PROT_* bits. */
  prot: number;
}

/** The part of a mapping inside a range. */
interface Piece {
  start: number;
  end: number;
  m: Mapping;
}

/** The mappings of one address space, sorted and disjoint. */
class MappingTable {
  readonly list: Mapping[] = [];

  /** Index of the first mapping ending after `addr`. */
  private firstAfter(addr: number): number {
    let lo = 0, hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The parts of mappings inside [start, end), in address order. */
  pieces(start: number, end: number): Piece[] {
    const out: Piece[] = [];
    for (let i = this.firstAfter(start); i < this.list.length && this.list[i]!.start < end; i++) {
      const m = this.list[i]!;
      out.push({ start: Math.max(start, m.start), end: Math.min(end, m.end), m });
    }
    return out;
  }

  overlaps(start: number, end: number): boolean {
    const i = this.firstAfter(start);
    return i < this.list.length && this.list[i]!.start < end;
  }

  /** The mapping holding `addr`, if any. */
  at(addr: number): Mapping | undefined {
    const m = this.list[this.firstAfter(addr)];
    return m && m.start <= addr ? m : undefined;
  }

  /** Removes [start, end), splitting the mappings it cuts. */
  remove(start: number, end: number): void {
    const i = this.firstAfter(start);
    let j = i;
    const keep: Mapping[] = [];
    for (; j < this.list.length && this.list[j]!.start < end; j++) {
      const m = this.list[j]!;
      if (m.start < start) keep.push({ ...m, end: start });
      if (m.end > end) keep.push({ ...m, start: end, offset: m.offset + (end - m.start) });
    }
    if (j > i) this.list.splice(i, j - i, ...keep);
  }

  /** Adds a mapping; the range must be free. */
  insert(m: Mapping): void {
    this.list.splice(this.firstAfter(m.start), 0, m);
  }

  /** Sets the protection of [start, end), splitting at its ends. */
  protect(start: number, end: number, prot: number): void {
    const parts = this.pieces(start, end);
    for (const p of parts) {
      this.remove(p.start, p.end);
      this.insert({ ...p.m, start: p.start, end: p.end, offset: p.m.offset + (p.start - p.m.start), prot });
    }
  }

  /** The mappings with pieces split only by mprotect joined again (one per map entry). */
  entries(): Mapping[] {
    const out: Mapping[] = [];
    for (const m of this.list) {
      const last = out[out.length - 1];
      if (last && last.end === m.start && last.object === m.object && last.flags === m.flags && last.offset + (last.end - last.start) === m.offset) {
        out[out.length - 1] = { ...last, end: m.end };
      } else out.push(m);
    }
    return out;
  }

  /** Maximal runs of contiguous mappings, as ranges. */
  runs(): Range[] {
    const out: [number, number][] = [];
    for (const m of this.list) {
      const last = out[out.length - 1];
      if (last && last[0] + last[1] === m.start) last[1] += m.end - m.start;
      else out.push([m.start, m.end - m.start]);
    }
    return out;
  }

  clear(): void {
    this.list.length = 0;
  }
}

/** An open file of a process: the object its mappings are named after. */
interface OpenFile {
  object: string;
  cloexec: boolean;
}

/** One address space: one native task. */
class AddressSpace {
  readonly maps = new MappingTable();
  readonly members = new Set<Proc>();
  /** mlockall(MCL_FUTURE) is in force. */
  lockFuture = false;
  constructor(readonly task: string) {}
}

/** One traced process or thread. */
interface Proc {
  pid: string;
  space: AddressSpace;
  /** How it came to share its space: it leaves a `vfork` parent's space at execve. */
  via: 'own' | 'thread' | 'vfork';
  fds: Map<number, OpenFile>;
}

// ---------------------------------------------------------------------------------------------
// strace lines

/** A call in the reorder queue: complete once it has returned (or never will). */
interface Call {
  kind: 'call' | 'exit';
  pid: string;
  name: string;
  line: number;
  tNs: number;
  /** Argument text (joined across unfinished / resumed). */
  args: string;
  /** `complete`: returned or given up; `ret` '?' when it never returned. */
  complete: boolean;
  emitted: boolean;
  ret: string;
  /** The path strace -y printed with the returned fd. */
  retPath: string;
  errno: string;
  /** Measured duration in ns, -1 when absent. */
  durNs: number;
}

/** The calls that shape address spaces (everything else is skipped). */
const TRACKED = new Set([
  'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'pkey_mprotect', 'msync', 'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall',
  'open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64',
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'syncsim_dirty',
]);
const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork']);

const PREFIX_RE = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(\d+)\.(\d+)\s+(.*)$/;
const NAME_RE = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)$/s;
const RESUMED_RE = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>\s?(.*)$/s;
const EXIT_RE = /^\+\+\+ (exited with -?\d+|killed by SIG[A-Z0-9]+(?: \(core dumped\))?) \+\+\+$/;
/** strace's "Process N attached/detached" message, at the end of a line or alone on one. */
const MESSAGE_RE = /^(.*?)strace: Process (\d+) (attached|detached)[^"]*$/;
const UNFINISHED = ' <unfinished ...>';
const DETACHED = ' <detached ...>';
const UNAVAILABLE = ' <unavailable>';
const DURATION_RE = /\s<(\d+)\.(\d+)>$/;
/** `)`, then ` = ` (strace pads short calls with spaces before the `=`). */
const RESULT_SEP_RE = /\)\s+= /g;
const RESULT_RE = /^(-?\d+|0x[0-9a-fA-F]+|\?)(?:<(.*)>)?(?:\s+(E[A-Z0-9_]+)(?:\s+\(.*\))?)?(?:\s+\(.*\))?$/s;

/** Digits of a fraction of a second to ns (6 digits µs, 9 digits ns). */
function fracToNs(frac: string): number {
  return Number(frac.length >= 9 ? frac.slice(0, 9) : frac.padEnd(9, '0'));
}

/** Splits strace's argument text at top-level commas (strings, brackets and comments kept whole). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/** A C string as strace prints it (`"..."`, escapes decoded); undefined when not one. */
function parseCString(s: string): string | undefined {
  const m = /^"((?:[^"\\]|\\.)*)"(?:\.\.\.)?$/s.exec(s);
  if (!m) return undefined;
  return m[1]!.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', a: '\x07', b: '\b' } as Record<string, string>)[e] ?? e;
  });
}

/** An integer as strace prints it (`NULL`, decimal, `0x` hex); NaN when not one. */
function parseNum(s: string): number {
  const t = s.replace(/\/\*.*?\*\//g, '').trim();
  if (t === 'NULL') return 0;
  if (/^0x[0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^-?\d+$/.test(t)) return Number(t);
  return NaN;
}

/**
 * A `|`-joined flag set: names from `table` (bits), numbers, and, when `prefix` is given, other
 * names with that prefix (ignored). Undefined when a part is none of these.
 */
function parseBits(s: string, table: Readonly<Record<string, number>>, prefix?: string): number | undefined {
  let bits = 0;
  for (const raw of s.replace(/\/\*.*?\*\//g, '').split('|')) {
    const part = raw.trim();
    const shift = /^(\d+)<<([A-Z_]+)$/.exec(part); // e.g. 21<<MAP_HUGE_SHIFT
    if (shift) continue;
    const v = table[part];
    if (v !== undefined) bits |= v;
    else if (/^(0x[0-9a-fA-F]+|\d+)$/.test(part)) bits |= Number(part);
    else if (prefix === undefined || !part.startsWith(prefix)) return undefined;
  }
  return bits;
}

// ---------------------------------------------------------------------------------------------
// The import

/** What each tracked argument must look like, for error messages. */
const EXPECT = {
  addr: 'an address (NULL, decimal or 0x hex)',
  len: 'a byte count',
  fd: 'a file descriptor number',
  path: 'a quoted path',
} as const;

class StraceImport {
  private readonly ps: number;
  private readonly assume: AssumeDirtyMode;
  /** Output rows not yet taken. */
  out: RowInput[] = [];
  /** Calls in entry order, from `head`. */
  private queue: Call[] = [];
  private head = 0;
  /** Each pid's unfinished call. */
  private readonly pending = new Map<string, Call>();
  private readonly procs = new Map<string, Proc>();
  /** First timestamp: seconds and ns. */
  private t0: [number, number] | null = null;
  private lastNs = 0;
  private anonSeq = 0;
  private unknownSeq = 0;
  /** Keys of the processes on lines so far that have not exited (to place unprefixed lines). */
  private readonly live = new Set<string>();
  private sawUnprefixed = false;
  /** Pids strace announced as attached and not yet seen on a line; whether it announces at all. */
  private readonly announced = new Set<string>();
  private sawAnnouncement = false;
  /** The start of a line that a message of strace cut off. */
  private carry = '';
  private mainPid: string | null = null;
  /** Task names given so far (the `tasks` stat). */
  private readonly taskNames = new Set<string>();

  constructor(private readonly path: string, opts: ImportOptions, private readonly stats: ImportStats) {
    this.ps = opts.pageSize;
    const name = opts.assumeDirty ?? 'none';
    const mode = ASSUME_DIRTY[name];
    if (!mode) {
      throw new TraceError(path, 0, '-', `unknown --assume-dirty mode (expected one of ${Object.keys(ASSUME_DIRTY).join(', ')})`, name);
    }
    this.assume = mode;
    for (const k of ['strace_lines', 'calls', 'failed_calls', 'mmap_failed', 'never_returned', 'orphan_resumed', 'restarted', 'out_of_range', 'assumed_writes', 'tasks']) {
      stats[k] = 0;
    }
  }

  private count(k: string, n = 1): void {
    this.stats[k] = (this.stats[k] ?? 0) + n;
  }

  private fail(line: number, column: string, problem: string, text: string): never {
    throw new TraceError(this.path, line, column, problem, text);
  }

  // -- reading ---------------------------------------------------------------------------------

  /** Takes one line of strace output. */
  line(raw: string, line: number): void {
    // strace writes its own messages to stderr too: in a capture of stderr they can cut a line
    // in two ("exit(0strace: Process 12 attached" + ")   = ?").
    const msg = MESSAGE_RE.exec(raw);
    if (msg) {
      if (msg[3] === 'attached') {
        this.sawAnnouncement = true;
        this.announced.add(msg[2]!);
      }
      if (msg[1] !== '') this.carry += msg[1]!;
      return;
    }
    if (raw.startsWith('strace: ')) return;
    const text = this.carry === '' ? raw : this.carry + raw;
    this.carry = '';
    if (text.trim() === '') return;
    this.count('strace_lines');
    const m = PREFIX_RE.exec(text);
    if (!m) {
      const first = text.trim().split(/\s+/)[0] ?? '';
      if (/^\d+$/.test(first) || /^\[pid/.test(first)) {
        this.fail(line, 'timestamp', 'expected a timestamp of seconds.microseconds after the pid (capture with strace -f -ttt -T)', text);
      }
      this.fail(line, 'timestamp', 'expected a line starting with [pid N] or a pid, then a timestamp of seconds.microseconds (capture with strace -f -ttt -T)', text);
    }
    const sec = Number(m[3]!), ns = fracToNs(m[4]!);
    if (this.t0 === null) this.t0 = [sec, ns];
    let tNs = (sec - this.t0[0]) * 1e9 + (ns - this.t0[1]);
    if (tNs < this.lastNs) tNs = this.lastNs;
    this.lastNs = tNs;
    const body = m[5]!;
    const pid = this.pidKey(m[1] ?? m[2] ?? null, body);

    if (body.startsWith('---')) return; // signal
    if (body.startsWith('+++')) {
      if (EXIT_RE.test(body)) this.exited(pid, line, tNs);
      else if (!/^\+\+\+ superseded by execve in pid \d+ \+\+\+$/.test(body)) {
        this.fail(line, 'event', "expected '+++ exited with N +++', '+++ killed by SIG... +++' or '+++ superseded by execve in pid N +++'", body);
      }
      return;
    }
    const resumed = RESUMED_RE.exec(body);
    if (resumed) {
      this.resumed(pid, resumed[1]!, resumed[2]!, line);
      return;
    }
    const call = NAME_RE.exec(body);
    if (!call) this.fail(line, 'syscall', 'expected a system call NAME(ARGS) = RESULT, <... NAME resumed>, --- signal --- or +++ exit +++', body);
    const name = call[1]!;
    if (!TRACKED.has(name)) return;
    let rest = call[2]!;
    const c: Call = { kind: 'call', pid, name, line, tNs, args: '', complete: false, emitted: false, ret: '?', retPath: '', errno: '', durNs: -1 };
    const suffix = rest.endsWith(UNFINISHED) ? UNFINISHED : rest.endsWith(DETACHED) ? DETACHED : null;
    if (suffix !== null) {
      c.args = rest.slice(0, rest.length - suffix.length);
      const prev = this.pending.get(pid);
      if (prev) this.giveUp(prev); // a pid has one call in flight: the earlier one never returned
      if (suffix === UNFINISHED) this.pending.set(pid, c);
      else c.complete = true; // strace detached while the call was in flight
      this.count('calls');
      this.enqueue(c);
      return;
    }
    rest = this.takeResult(c, rest, line);
    c.args = rest;
    c.complete = true;
    this.count('calls');
    this.enqueue(c);
  }

  /**
   * The key of a line's process: its pid; `main` for the process of unprefixed lines (strace to
   * stderr prefixes lines with `[pid N]` only while it traces more than one process).
   */
  private pidKey(pid: string | null, body: string): string {
    if (pid === null) {
      this.sawUnprefixed = true;
      if (this.live.size === 1) return this.live.values().next().value!;
      this.live.add('main');
      return 'main';
    }
    if (pid === this.mainPid) return 'main';
    if (this.sawUnprefixed && this.mainPid === null && !this.live.has(pid) && this.live.has('main')) {
      // The first process's own lines get a prefix once a second process is traced; new
      // processes are announced ("strace: Process N attached") unless strace ran with -q.
      const r = RESUMED_RE.exec(body);
      const cloning = [...this.pending.values()].some((c) => CLONES.has(c.name));
      const isMain = this.sawAnnouncement
        ? !this.announced.has(pid)
        : (r !== null && this.pending.get('main')?.name === r[1]) || (r === null && !cloning);
      if (isMain) {
        this.mainPid = pid;
        return 'main';
      }
    }
    this.announced.delete(pid);
    this.live.add(pid);
    return pid;
  }

  /** Parses `ARGS) = RESULT [<duration>]` into `c`; returns ARGS. */
  private takeResult(c: Call, text: string, line: number): string {
    let t = text;
    if (t.endsWith(UNAVAILABLE)) t = t.slice(0, -UNAVAILABLE.length);
    const d = DURATION_RE.exec(t);
    if (d) {
      c.durNs = Number(d[1]) * 1e9 + fracToNs(d[2]!);
      t = t.slice(0, d.index);
    }
    let at = -1, resText = '';
    for (const m of t.matchAll(RESULT_SEP_RE)) {
      at = m.index;
      resText = t.slice(m.index + m[0].length);
    }
    if (at < 0) this.fail(line, c.name, "expected ') = RESULT' at the end of the call", text);
    const res = RESULT_RE.exec(resText.trim());
    if (!res) this.fail(line, `${c.name}.result`, 'expected a result: a number, 0x hex or ?, then an optional errno name', resText);
    c.ret = res[1]!;
    c.retPath = res[2] ?? '';
    c.errno = res[3] ?? '';
    const args = t.slice(0, at);
    return args.trimStart().startsWith(UNFINISHED.trim()) ? args.trimStart().slice(UNFINISHED.trim().length) : args;
  }

  private resumed(pid: string, name: string, rest: string, line: number): void {
    const c = this.pending.get(pid);
    if (!c || c.name !== name) {
      if (TRACKED.has(name)) this.count('orphan_resumed'); // attached mid-call, or given up when the queue overflowed
      return;
    }
    this.pending.delete(pid);
    const tail = this.takeResult(c, rest, line);
    c.args += tail;
    c.complete = true;
    this.drain();
  }

  /** A call that will never return (its process exited, or the queue overflowed). */
  private giveUp(c: Call): void {
    c.complete = true;
    c.ret = '?';
    if (this.pending.get(c.pid) === c) this.pending.delete(c.pid);
  }

  private exited(pid: string, line: number, tNs: number): void {
    const c = this.pending.get(pid);
    if (c) this.giveUp(c);
    this.live.delete(pid);
    this.enqueue({ kind: 'exit', pid, name: 'exit', line, tNs, args: '', complete: true, emitted: false, ret: '', retPath: '', errno: '', durNs: -1 });
  }

  private enqueue(c: Call): void {
    this.queue.push(c);
    if (this.queue.length - this.head > MAX_QUEUE) this.giveUp(this.queue[this.head]!);
    this.drain();
  }

  /** Processes the completed calls at the head of the queue. */
  private drain(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.complete) {
      const c = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Call;
      c.emitted = true;
      this.process(c);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** End of input: calls still in flight never returned. */
  finish(): void {
    for (const c of [...this.pending.values()]) this.giveUp(c);
    this.drain();
  }

  // -- processing ------------------------------------------------------------------------------

  private proc(pid: string): Proc {
    let p = this.procs.get(pid);
    if (!p) {
      p = { pid, space: this.newSpace(pid), via: 'own', fds: new Map() };
      p.space.members.add(p);
      this.procs.set(pid, p);
    }
    return p;
  }

  private newSpace(pid: string): AddressSpace {
    const task = pid === 'main' ? 'main' : `pid${pid}`;
    if (!this.taskNames.has(task)) {
      this.taskNames.add(task);
      this.count('tasks');
    }
    return new AddressSpace(task);
  }

  private process(c: Call): void {
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
    HANDLERS[c.name]!(this, this.proc(c.pid), c, splitArgs(c.args));
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

  private emit(row: RowInput): void {
    if (!(row.addr < ADDR_LIMIT && row.addr + row.len < ADDR_LIMIT)) {
      this.count('out_of_range');
      return;
    }
    this.out.push(row);
  }

  private arg(c: Call, args: string[], i: number, name: string, what: keyof typeof EXPECT): number {
    const text = args[i];
    if (text === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${EXPECT[what]} as argument ${i + 1}`, c.args);
    const v = parseNum(what === 'fd' ? text.replace(/<.*>$/s, '') : text);
    if (!Number.isFinite(v) || (what !== 'fd' && v < 0)) this.fail(c.line, `${c.name}.${name}`, `expected ${EXPECT[what]}`, text);
    return v;
  }

  private bits(c: Call, args: string[], i: number, name: string, table: Readonly<Record<string, number>>, prefix: string): number {
    const text = args[i];
    if (text === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${prefix}* flags as argument ${i + 1}`, c.args);
    const v = parseBits(text, table, prefix);
    if (v === undefined) this.fail(c.line, `${c.name}.${name}`, `expected ${prefix}* flag names or a number joined by |`, text);
    return v;
  }

  private returned(c: Call, what: string): number {
    const v = parseNum(c.ret);
    if (!Number.isFinite(v)) this.fail(c.line, `${c.name}.result`, `expected ${what}`, c.ret);
    return v;
  }

  private ok(c: Call): boolean {
    return c.errno === '' && c.ret !== '?';
  }

  private roundUp(n: number): number {
    return Math.ceil(n / this.ps) * this.ps;
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
    s.maps.insert(m);
    this.emit({ tNs: c.tNs, task: s.task, op: 'map', addr: m.start, len: m.end - m.start, flags: m.flags, object: m.object, offset: m.offset, extra: this.extra(c, true) });
    if (locked || s.lockFuture) {
      this.emit({ tNs: c.tNs, task: s.task, op: 'wire', addr: m.start, len: m.end - m.start, flags: WIRE_USER, extra: this.extra(c, false) });
    }
  }

  /** The object a mapping of `fd` is named after. */
  private fileObject(p: Proc, fd: number, text: string): string {
    const shown = /<(.*)>$/s.exec(text);
    if (shown) return shown[1]!;
    let f = p.fds.get(fd);
    if (!f) {
      f = { object: `fd${fd}.${p.space.task}.${++this.unknownSeq}`, cloexec: false };
      p.fds.set(fd, f);
    }
    return f.object;
  }

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
    const object = anon ? `anon.${++this.anonSeq}` : this.fileObject(p, fd, a[4]!);
    this.addMapping(p, c, { start: addr, end: addr + this.roundUp(len), object, offset: anon ? 0 : offset, flags: priv ? Flag.PRIVATE : 0, prot }, (flags & MAP_LOCKED) !== 0);
  }

  munmap(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 2) this.fail(c.line, c.name, 'expected 2 arguments (addr, length)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    this.emit({ tNs: c.tNs, task: p.space.task, op: 'unmap', addr, len, extra: this.extra(c, true) });
    if (c.errno === '') p.space.maps.remove(Math.floor(addr / this.ps) * this.ps, this.roundUp(addr + len));
  }

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

  mprotect(p: Proc, c: Call, a: string[]): void {
    if (a.length < 3) this.fail(c.line, c.name, 'expected 3 arguments (addr, length, prot)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    const prot = this.bits(c, a, 2, 'prot', PROT_BITS, 'PROT_');
    if (this.ok(c)) p.space.maps.protect(addr, addr + this.roundUp(len), prot);
  }

  msync(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 3) this.fail(c.line, c.name, 'expected 3 arguments (addr, length, flags)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    const ms = this.bits(c, a, 2, 'flags', Object.fromEntries(Object.entries(MS_FLAGS).map(([k, v]) => [k, v.value])), 'MS_');
    let flags = 0, known = 0;
    for (const { value, flag } of Object.values(MS_FLAGS)) {
      known |= value;
      if (ms & value) flags |= flag;
    }
    if (ms & ~known) this.count('msync_unknown_flags');
    const s = p.space;
    for (const [wa, wl] of this.assume.stores(s, addr, len)) {
      this.count('assumed_writes');
      this.emit({ tNs: c.tNs, task: s.task, op: 'write', addr: wa, len: wl, extra: this.extra(c, false, 'assume-dirty') });
    }
    this.emit({ tNs: c.tNs, task: s.task, op: 'msync', addr, len, flags, extra: this.extra(c, true) });
  }

  /** A run of pages `syncsim record` saw dirty just before an msync: one store covering it. */
  dirty(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 2) this.fail(c.line, c.name, 'expected 2 arguments (addr, length)', c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    this.count('recorded_dirty_pages', Math.ceil(len / this.ps));
    this.emit({ tNs: c.tNs, task: p.space.task, op: 'write', addr, len, extra: this.extra(c, false, 'syncsim_dirty') });
  }

  wireCall(p: Proc, c: Call, a: string[], op: 'wire' | 'unwire', nargs: number[]): void {
    if (!nargs.includes(a.length)) this.fail(c.line, c.name, `expected ${nargs.join(' or ')} arguments (addr, length${nargs.length > 1 ? '[, flags]' : ''})`, c.args);
    const addr = this.arg(c, a, 0, 'addr', 'addr'), len = this.arg(c, a, 1, 'length', 'len');
    this.emit({ tNs: c.tNs, task: p.space.task, op, addr, len, flags: WIRE_USER, extra: this.extra(c, true) });
  }

  /** Rows of `op` over every run of contiguous mappings of the space (the first carries the call). */
  private wholeSpace(s: AddressSpace, c: Call, op: 'wire' | 'unwire' | 'unmap', measured: boolean): void {
    let first = measured;
    for (const [addr, len] of s.maps.runs()) {
      this.emit({ tNs: c.tNs, task: s.task, op, addr, len, flags: op === 'unmap' ? 0 : WIRE_USER, extra: this.extra(c, first) });
      first = false;
    }
  }

  mlockall(p: Proc, c: Call, a: string[]): void {
    if (a.length !== 1) this.fail(c.line, c.name, 'expected 1 argument (flags)', c.args);
    const flags = this.bits(c, a, 0, 'flags', MCL_BITS, 'MCL_');
    if (flags & MCL_CURRENT) this.wholeSpace(p.space, c, 'wire', true);
    if (flags & MCL_FUTURE && this.ok(c)) p.space.lockFuture = true;
  }

  munlockall(p: Proc, c: Call): void {
    this.wholeSpace(p.space, c, 'unwire', true);
    p.space.lockFuture = false;
  }

  opened(p: Proc, c: Call, pathArg: string | undefined, flagsArg: string | undefined): void {
    if (!this.ok(c)) return;
    const fd = this.returned(c, 'a file descriptor');
    let object = c.retPath;
    if (object === '') {
      const path = pathArg === undefined ? undefined : parseCString(pathArg);
      if (path === undefined) this.fail(c.line, `${c.name}.pathname`, `expected ${EXPECT.path}`, pathArg ?? c.args);
      object = path;
    }
    const cloexec = flagsArg !== undefined && (/\bO_CLOEXEC\b/.test(flagsArg) || (Number(parseNum(flagsArg)) & O_CLOEXEC) !== 0);
    p.fds.set(fd, { object, cloexec });
  }

  close(p: Proc, c: Call, a: string[]): void {
    const fd = this.arg(c, a, 0, 'fd', 'fd');
    if (c.errno === '') p.fds.delete(fd);
  }

  duplicated(p: Proc, c: Call, a: string[], cloexec: boolean): void {
    if (!this.ok(c)) return;
    const from = p.fds.get(this.arg(c, a, 0, 'oldfd', 'fd'));
    const to = this.returned(c, 'a file descriptor');
    if (from) p.fds.set(to, { object: from.object, cloexec });
    else p.fds.delete(to);
  }

  fcntl(p: Proc, c: Call, a: string[]): void {
    const cmd = a[1] ?? '';
    if (cmd === 'F_DUPFD' || cmd === 'F_DUPFD_CLOEXEC') this.duplicated(p, c, a, cmd === 'F_DUPFD_CLOEXEC');
  }

  /** clone, clone3, fork, vfork: the child shares (threads, vfork) or copies the address space. */
  clone(p: Proc, c: Call): void {
    if (!this.ok(c)) return;
    const child = this.returned(c, 'the child pid');
    const key = String(child);
    if (this.procs.has(key)) return;
    let flags: number;
    if (c.name === 'fork') flags = 0;
    else if (c.name === 'vfork') flags = CLONE_VM | CLONE_VFORK;
    else {
      const f = /\bflags=([^,}]*)/.exec(c.args);
      flags = f ? (parseBits(f[1]!, CLONE_BITS, '') ?? 0) : 0;
    }
    let q: Proc;
    if (flags & CLONE_VM) {
      q = { pid: key, space: p.space, via: flags & CLONE_VFORK ? 'vfork' : 'thread', fds: flags & CLONE_VFORK ? new Map(p.fds) : p.fds };
    } else {
      q = { pid: key, space: this.newSpace(key), via: 'own', fds: new Map(p.fds) };
      for (const m of p.space.maps.list) q.space.maps.insert({ ...m });
      for (const m of p.space.maps.entries()) {
        this.emit({ tNs: c.tNs, task: q.space.task, op: 'map', addr: m.start, len: m.end - m.start, flags: m.flags, object: m.object, offset: m.offset, extra: this.extra(c, false) });
      }
    }
    q.space.members.add(q);
    this.procs.set(key, q);
  }

  /** A new program: a vfork child leaves its parent's space; otherwise the space is torn down. */
  execve(p: Proc, c: Call): void {
    if (!this.ok(c)) return;
    for (const [fd, f] of p.fds) if (f.cloexec) p.fds.delete(fd);
    if (p.via === 'vfork') {
      p.space.members.delete(p);
      p.space = this.newSpace(p.pid);
      p.space.members.add(p);
      p.via = 'own';
      return;
    }
    this.wholeSpace(p.space, c, 'unmap', false);
    p.space.maps.clear();
    p.space.lockFuture = false;
  }

  private onExit(c: Call): void {
    const p = this.procs.get(c.pid);
    if (!p) return;
    this.procs.delete(c.pid);
    p.space.members.delete(p);
    if (p.space.members.size === 0) {
      this.wholeSpace(p.space, c, 'unmap', false);
      p.space.maps.clear();
    }
  }
}

type Handler = (imp: StraceImport, p: Proc, c: Call, args: string[]) => void;

/** What each tracked call does to the address spaces, by name. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  mmap: (i, p, c, a) => i.mmap(p, c, a, 1),
  mmap2: (i, p, c, a) => i.mmap(p, c, a, MMAP2_UNIT),
  munmap: (i, p, c, a) => i.munmap(p, c, a),
  mremap: (i, p, c, a) => i.mremap(p, c, a),
  mprotect: (i, p, c, a) => i.mprotect(p, c, a),
  pkey_mprotect: (i, p, c, a) => i.mprotect(p, c, a),
  msync: (i, p, c, a) => i.msync(p, c, a),
  mlock: (i, p, c, a) => i.wireCall(p, c, a, 'wire', [2]),
  mlock2: (i, p, c, a) => i.wireCall(p, c, a, 'wire', [2, 3]),
  munlock: (i, p, c, a) => i.wireCall(p, c, a, 'unwire', [2]),
  mlockall: (i, p, c, a) => i.mlockall(p, c, a),
  munlockall: (i, p, c) => i.munlockall(p, c),
  open: (i, p, c, a) => i.opened(p, c, a[0], a[1]),
  creat: (i, p, c, a) => i.opened(p, c, a[0], undefined),
  openat: (i, p, c, a) => i.opened(p, c, a[1], a[2]),
  openat2: (i, p, c, a) => i.opened(p, c, a[1], a[2]),
  close: (i, p, c, a) => i.close(p, c, a),
  dup: (i, p, c, a) => i.duplicated(p, c, a, false),
  dup2: (i, p, c, a) => i.duplicated(p, c, a, false),
  dup3: (i, p, c, a) => i.duplicated(p, c, a, /O_CLOEXEC/.test(a[2] ?? '')),
  fcntl: (i, p, c, a) => i.fcntl(p, c, a),
  fcntl64: (i, p, c, a) => i.fcntl(p, c, a),
  clone: (i, p, c) => i.clone(p, c),
  clone3: (i, p, c) => i.clone(p, c),
  fork: (i, p, c) => i.clone(p, c),
  syncsim_dirty: (i, p, c, a) => i.dirty(p, c, a),
  vfork: (i, p, c) => i.clone(p, c),
  execve: (i, p, c) => i.execve(p, c),
  execveat: (i, p, c) => i.execve(p, c),
};

// ---------------------------------------------------------------------------------------------

/** Opens `path`, gunzipping when it starts with the gzip magic bytes. */
async function openInput(path: string): Promise<Readable> {
  const fh = await fsp.open(path, 'r');
  let gz = false;
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    gz = bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
  const src = createReadStream(path, { highWaterMark: 1 << 16 });
  if (!gz) return src;
  const gunzip = createGunzip();
  src.on('error', (e) => gunzip.destroy(e));
  return src.pipe(gunzip);
}

async function* straceRows(path: string, opts: ImportOptions, stats: ImportStats): AsyncGenerator<RowInput[]> {
  const imp = new StraceImport(path, opts, stats);
  let input: Readable;
  try {
    input = await openInput(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TraceError(path, 0, '-', `cannot open the strace output: ${err.message}`, err.code ?? 'error', { cause: e });
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      imp.line(text, ++n);
      if (imp.out.length >= BATCH) {
        const out = imp.out;
        imp.out = [];
        yield out;
      }
    }
  } catch (e) {
    if (e instanceof TraceError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new TraceError(path, n, '-', `cannot read the strace output: ${err.message}`, err.code ?? 'error', { cause: e });
  } finally {
    lines.close();
    input.destroy();
  }
  if (n === 0) throw new TraceError(path, 1, '-', 'empty input: expected strace -f -ttt -T output', '');
  imp.finish();
  if (imp.out.length > 0) yield imp.out;
}

/** The strace importer (`--from strace`). */
export const straceImporter: Importer | null = {
  format: 'strace',
  description: 'strace -f -ttt -T output of mmap/munmap/msync/mlock/munlock/mlockall (with openat/close for file names)',
  extraCols: EXTRA_COLS,
  rows: straceRows,
};
