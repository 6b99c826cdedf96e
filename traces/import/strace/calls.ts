/**
 * From strace lines to complete calls in entry order: which process a line
 * belongs to (pid columns, `[pid N]`, or none), joining `<unfinished ...>`
 * and `<... resumed>` halves, and a bounded reorder queue that holds later
 * calls until the earlier ones have returned (or are taken as never
 * returning).
 */
import { TraceError } from '../../trace-error.ts';
import type { ImportStats } from '../importer.ts';
import { lineTooLong, MAX_LINE_LENGTH } from '../lines.ts';
import {
  decodeEscaped, DETACHED, DURATION_RE, EXIT_RE, fracToNs, MESSAGE_RE, NAME_RE, PREFIX_RE, RESULT_RE, RESULT_SEP_RE, RESUMED_RE, SUPERSEDED_RE, UNAVAILABLE, UNFINISHED,
} from './grammar.ts';

/** Most calls held back behind one that has not returned yet (it is then taken as never returning). */
const MAX_QUEUE = 1 << 16;

/** A call (or a process exit) in the reorder queue: complete once it has returned (or never will). */
export interface Call {
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
export const TRACKED: ReadonlySet<string> = new Set([
  'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'pkey_mprotect', 'madvise', 'msync', 'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall',
  'open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64',
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'syncsim_dirty',
]);
const CLONES: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);

/**
 * Reads strace lines one at a time and hands each complete call, in entry
 * order, to `onCall`. Times are relative to the first line's timestamp and
 * never go backwards.
 */
export class CallReader {
  /** Calls in entry order, from `head`. */
  private queue: Call[] = [];
  private head = 0;
  /** Each pid's unfinished call. */
  private readonly pending = new Map<string, Call>();
  /** First timestamp: seconds and ns. */
  private t0: [number, number] | null = null;
  private lastNs = 0;
  /** Keys of the processes on lines so far that have not exited (to place unprefixed lines). */
  private readonly live = new Set<string>();
  private sawUnprefixed = false;
  /** Pids strace announced as attached and not yet seen on a line; whether it announces at all. */
  private readonly announced = new Set<string>();
  private sawAnnouncement = false;
  /** The start of a line that a message of strace cut off. */
  private carry = '';
  private mainPid: string | null = null;
  /** The line and time of the last exit that left no process on a line alive, if one did. */
  private allExited: { line: number; tNs: number } | null = null;
  /** Children the trace shows created (a clone, fork or vfork's result) that have not exited. */
  private readonly children = new Set<string>();

  constructor(private readonly path: string, private readonly stats: ImportStats, private readonly onCall: (c: Call) => void) {}

  private count(k: string): void {
    this.stats[k] = (this.stats[k] ?? 0) + 1;
  }

  private fail(line: number, column: string, problem: string, text: string): never {
    throw new TraceError(this.path, line, column, problem, text);
  }

  /** Takes one line of strace output (`line` is its 1-based number). */
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
      // the start of a line cut by messages is one line: no longer than the line reader lets one be
      if (this.carry.length > MAX_LINE_LENGTH) throw lineTooLong(this.path, line, MAX_LINE_LENGTH, this.carry);
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
    if (this.t0 === null) {
      // strace -r starts at 0.000000 and gives each line's time since the line before: read as -ttt's, every time
      // after the first went backwards and was put at the time before it, without a word (user trial h202)
      if (sec === 0 && ns === 0) {
        this.fail(line, 'timestamp', "the first line's time is 0.000000, as strace -r writes it (each time since the line before), "
          + 'not seconds since the epoch: the import needs absolute times (capture with strace -f -ttt -T)', `${m[3]}.${m[4]}`);
      }
      this.t0 = [sec, ns];
    }
    let tNs = (sec - this.t0[0]) * 1e9 + (ns - this.t0[1]);
    if (!Number.isSafeInteger(tNs)) this.fail(line, 'timestamp', 'timestamp too far from the first line\'s', `${m[3]}.${m[4]}`);
    const prefix = m[1] ?? m[2] ?? null;
    const survivor = prefix === null && this.live.size === 0 && this.allExited !== null ? this.survivor(tNs, line, text) : undefined;
    if (tNs < this.lastNs) tNs = this.lastNs;
    this.lastNs = tNs;
    const body = m[5]!;
    const pid = survivor ?? this.pidKey(prefix, body);

    if (body.startsWith('---')) return; // signal
    if (body.startsWith('+++')) {
      if (EXIT_RE.test(body)) this.exited(pid, line, tNs);
      else if (!SUPERSEDED_RE.test(body)) {
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

  /**
   * The process of a line without a pid that comes after every process on a line so far exited
   * (the last at `allExited`): strace to stderr prefixes no line while it traces one process, so
   * it is the one child left, announced as attached or shown created, which then becomes live.
   * With no such child, or a line timed before that exit, no process of this capture can be the
   * line's: it is an error (user trial h202: a cat of strace -ff files read the next file's lines
   * as the exited process's, at its exit's time; and a child first seen after its parent exited
   * was taken for the parent, its msyncs for calls outside every mapping).
   */
  private survivor(tNs: number, line: number, text: string): string {
    const waiting = this.announced.size > 0 ? [...this.announced] : [...this.children];
    const last = this.allExited!;
    if (waiting.length === 1 && tNs >= last.tNs) {
      const pid = waiting[0]!;
      this.announced.delete(pid);
      this.live.add(pid);
      return pid;
    }
    const why = waiting.length > 1 ? `and it cannot tell which of the processes ${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', ...' : ''} left it`
      : waiting.length === 1 ? `and it is timed before that exit, which strace never writes` : 'and no process created before is left to write it, which strace never writes';
    return this.fail(line, '-', `a line without a pid after every process on a line exited (the last at line ${last.line}), ${why}: `
      + 'this looks like several captures joined, such as a cat of the files of strace -ff (one process each, without a pid column), '
      + 'whose processes would all read as one; import each file on its own, or capture with strace -f -o FILE (one file, a pid on every line)', text);
  }

  /** Parses `ARGS) = RESULT [<duration>]` into `c`; returns ARGS. */
  private takeResult(c: Call, text: string, line: number): string {
    let t = text;
    if (t.endsWith(UNAVAILABLE)) t = t.slice(0, -UNAVAILABLE.length);
    const d = DURATION_RE.exec(t);
    if (d) {
      c.durNs = Number(d[1]) * 1e9 + fracToNs(d[2]!);
      if (!Number.isSafeInteger(c.durNs)) this.fail(line, `${c.name}.duration`, 'duration too long', d[0].trim());
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
    if (CLONES.has(c.name) && /^[1-9]\d*$/.test(c.ret)) this.children.add(c.ret);
    c.retPath = decodeEscaped(res[2] ?? '');
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
    this.children.delete(pid);
    if (this.live.size === 0) this.allExited = { line, tNs };
    this.enqueue({ kind: 'exit', pid, name: 'exit', line, tNs, args: '', complete: true, emitted: false, ret: '', retPath: '', errno: '', durNs: -1 });
  }

  private enqueue(c: Call): void {
    this.queue.push(c);
    if (this.queue.length - this.head > MAX_QUEUE) this.giveUp(this.queue[this.head]!);
    this.drain();
  }

  /** Hands on the completed calls at the head of the queue. */
  private drain(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.complete) {
      const c = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Call;
      c.emitted = true;
      this.onCall(c);
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
}
