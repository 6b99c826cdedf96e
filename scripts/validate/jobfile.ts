/**
 * fio job files for validation: parsing one (INI: `[section]`, `key=value`
 * or a bare `key`, `#` and `;` comments), checking that it is one msync job
 * (`ioengine=mmap` with `fsync=N` or `fdatasync=N`, one job section, `numjobs`
 * 1 to {@link MAX_NUMJOBS}), and rewriting it so that its logs go where
 * validation reads them. `numjobs=N` becomes N copies of the section, each
 * with its own I/O log (fio writes one log for all clones of a job, their
 * lines interleaved), that fio runs at the same time, as it runs clones. Pure:
 * text in, text out; problems are TraceErrors naming the file, the line and
 * the option (`option ioengine`) or section (`section [two]`) at fault.
 */
import { TraceError } from '../../traces/trace-error.ts';
import { binaryKind, SNIFF_BYTES } from '../../traces/binary-sniff.ts';

/** One `key=value` line. */
export interface JobOption {
  key: string;
  value: string;
  line: number;
}

/** One `[name]` section and its options. */
export interface JobSection {
  name: string;
  line: number;
  options: JobOption[];
}

/** A parsed job file. */
export interface JobFile {
  path: string;
  sections: JobSection[];
}

/**
 * Parses fio job file `text` read from `path`; given as bytes, a file that is not text at all is
 * refused at line 1 as what it seems to be (a PNG image: traces/binary-sniff.ts).
 */
export function parseJobFile(text: string | Uint8Array, path: string): JobFile {
  if (typeof text !== 'string') {
    const binary = binaryKind(text.subarray(0, SNIFF_BYTES), 'fio job file');
    if (binary !== undefined) throw new TraceError(path, 1, '-', `not a fio job file: the file holds ${binary}`, undefined);
    text = Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8');
  }
  const sections: JobSection[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#') || s.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]$/.exec(s);
    if (sec) {
      sections.push({ name: sec[1]!.trim(), line, options: [] });
      return;
    }
    if (/^include\s/.test(s)) throw new TraceError(path, line, '-', 'include directives are not supported here: put the options in the job file', s);
    const cur = sections[sections.length - 1];
    if (!cur) throw new TraceError(path, line, '-', "expected a section header like '[global]' or '[job]' before the first option", s);
    const eq = s.indexOf('=');
    const key = (eq < 0 ? s : s.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : s.slice(eq + 1).trim();
    if (!/^[a-z0-9_]+$/.test(key)) throw new TraceError(path, line, '-', 'expected an option key=value', s);
    cur.options.push({ key, value, line });
  });
  return { path, sections };
}

/** The value of `key` for a job: its own setting, else [global]'s, else undefined. */
function lookup(job: JobSection, global: JobSection | undefined, key: string): JobOption | undefined {
  const own = [...job.options].reverse().find((o) => o.key === key);
  return own ?? (global ? [...global.options].reverse().find((o) => o.key === key) : undefined);
}

/** Options validation sets itself; any the file has are dropped. */
const OWNED_KEYS: ReadonlySet<string> = new Set(['write_iolog', 'read_iolog', 'write_lat_log', 'log_avg_msec', 'per_job_logs', 'numjobs']);

/** Most concurrent jobs (`numjobs`) a validation runs. */
export const MAX_NUMJOBS = 8;

/** One of the concurrent jobs fio runs: its section name and where its logs go. */
export interface PreparedClone {
  /** Section name: the job's name, or NAME-i (i from 1) for numjobs > 1. */
  name: string;
  iolog: string;
  latLog: string;
}

/** What validation needs to know about the job, and the rewritten file. */
export interface PreparedJob {
  /** The job's section name (fio's job name). */
  name: string;
  /** The jobs fio runs at once (numjobs of them), in order. */
  clones: PreparedClone[];
  /** Writes between two syncs (`fsync` or `fdatasync`). */
  sync_every: number;
  /** `fsync` or `fdatasync`. */
  sync_option: string;
  /** The job file fio runs. */
  text: string;
  /**
   * The access advice fio's mmap engine gives the job's mapping right after
   * mmap (engines/mmap.c, fio_madvise_file): with `fadvise_hint` on (the
   * default), `random` (POSIX_MADV_RANDOM) when `rw` is random, else
   * `sequential`; `fadvise_hint=random` or `sequential` forces one; null
   * with `fadvise_hint=0` (no advice).
   */
  advice: 'random' | 'sequential' | null;
  /** Options the job sets whose effect the replay does not follow, each with why ({@link UNMODELLED_OPTIONS}); validate warns of them. */
  unmodelled: string[];
}

/**
 * fio options whose effect the replay of the job's I/O log does not follow,
 * when set to the value given (any value when null), with what it misses.
 */
export const UNMODELLED_OPTIONS: readonly { key: string; value: string | null; why: string }[] = [
  {
    key: 'pre_read', value: '1',
    why: "fio reads the job's files with read() before the job starts, which its I/O log does not show: the replay starts with their pages out of memory "
      + 'and reads them in as the stores fault, where the kernel has them cached (in large folios if its read-ahead made them: docs/configuration.md, "Large folios: a store dirties the whole folio")',
  },
];

// fio's mmap engine with direct=1 msyncs each block it wrote and drops its pages (engines/mmap.c): syncs no I/O log shows
const DIRECT_IO = 'with ioengine=mmap, direct I/O makes fio msync every block it writes and drop its pages, which its I/O log does not show: '
  + 'validation cannot replay it (remove the option)';

/** What {@link REFUSED_OPTIONS} says of an option that puts the job's files somewhere of its choosing. */
const OWN_PLACE = 'validate runs it in a scratch directory that it makes, and removes, on the filesystem it measures: '
  + 'remove the option, and choose that filesystem with --dir PATH (not tmpfs)';

/**
 * fio options validation refuses when set to the value given (any value when null; a bare
 * option is 1), with why: checked in this order, the first one the job sets is named. Those
 * that say where the job's files are would measure another filesystem than the one validate
 * checks (a tmpfs, say) and leave the files there.
 */
export const REFUSED_OPTIONS: readonly { key: string; value: string | null; why: string }[] = [
  { key: 'direct', value: '1', why: DIRECT_IO },
  { key: 'buffered', value: '0', why: DIRECT_IO },
  { key: 'filename', value: null, why: `the job names its own files, but ${OWN_PLACE}` },
  { key: 'directory', value: null, why: `the job puts its files in a directory it chooses, but ${OWN_PLACE}` },
  // joined to the directory= validate sets, but a '../' in it climbs out
  { key: 'filename_format', value: null, why: `the job names its own files, but ${OWN_PLACE}` },
  { key: 'opendir', value: null, why: `the job takes the files under a directory it chooses, but ${OWN_PLACE}` },
];

/** fio `rw` values with random offsets (td_random(): TD_DDIR_RAND). */
const RANDOM_RW: ReadonlySet<string> = new Set(['randread', 'randwrite', 'randrw', 'randtrim', 'randtrimwrite']);

/**
 * The advice fio's mmap engine gives a job whose `rw` (or its alias
 * `readwrite`) is `rw` (fio's default: read, sequential; a `:N` suffix is
 * ignored) and whose `fadvise_hint` is `hint` (default on: by `rw`).
 */
export function mmapAdvice(rw: string | undefined, hint?: string): 'random' | 'sequential' | null {
  if (hint === 'random' || hint === 'sequential') return hint;
  if (hint !== undefined && hint !== '' && hint !== '1') return null; // 0: no hint
  return rw !== undefined && RANDOM_RW.has(rw.split(':')[0]!.trim()) ? 'random' : 'sequential';
}

/** The value of the last of `keys` (aliases of one option) set in the job's section, else in [global]. */
function lookupAny(job: JobSection, global: JobSection | undefined, keys: readonly string[]): JobOption | undefined {
  const last = (s: JobSection | undefined) => s && [...s.options].reverse().find((o) => keys.includes(o.key));
  return last(job) ?? last(global);
}

/** Where the rewritten job sends its logs and data. */
export interface JobOutputs {
  /** `write_iolog` path. */
  iolog: string;
  /** `write_lat_log` prefix (fio writes PREFIX_lat.1.log, PREFIX_clat.1.log, PREFIX_slat.1.log). */
  latLog: string;
  /** `directory` for the data files: the scratch directory (a job that names its own place is refused). */
  dataDir: string;
}

const positiveInt = (v: string) => /^\d+$/.test(v) && Number(v) > 0;

/**
 * Checks that `job` is one mmap job that syncs, sets none of {@link REFUSED_OPTIONS}, and
 * returns it rewritten with `write_iolog`, `write_lat_log` (per-I/O, `log_avg_msec=0`) and
 * `directory` taken from `out`.
 */
export function prepareJob(job: JobFile, out: JobOutputs): PreparedJob {
  // a job file has options and sections, not columns: `option ioengine`, `section [two]`
  const fail = (line: number, option: string, problem: string, got: string, noun: 'option' | 'section' = 'option'): never => {
    throw new TraceError(job.path, line, option, problem, got, { noun });
  };
  const global = job.sections.find((s) => s.name === 'global');
  const jobs = job.sections.filter((s) => s.name !== 'global');
  if (jobs.length !== 1) {
    const extra = jobs[1];
    fail(extra?.line ?? 1, extra ? `[${extra.name}]` : '-', 'validation runs exactly one fio job: expected one job section besides [global]', jobs.map((s) => `[${s.name}]`).join(' ') || '(none)', 'section');
  }
  const j = jobs[0]!;
  const engine = lookup(j, global, 'ioengine');
  if (!engine || engine.value !== 'mmap') {
    fail(engine?.line ?? j.line, 'ioengine', 'validation predicts msync latency: the job must use ioengine=mmap (its fsync is msync(MS_SYNC))', engine?.value ?? '(not set: psync)');
  }
  const numjobs = lookup(j, global, 'numjobs');
  if (numjobs && !(positiveInt(numjobs.value) && Number(numjobs.value) <= MAX_NUMJOBS)) {
    fail(numjobs.line, 'numjobs', `numjobs must be a whole number from 1 to ${MAX_NUMJOBS}`, numjobs.value);
  }
  const n = numjobs ? Number(numjobs.value) : 1;
  const clones: PreparedClone[] = Array.from({ length: n }, (_, k) => (n === 1
    ? { name: j.name, iolog: out.iolog, latLog: out.latLog }
    : { name: `${j.name}-${k + 1}`, iolog: out.iolog.replace(/(\.iolog)?$/, `-${k + 1}$1`), latLog: `${out.latLog}-${k + 1}` }));
  const sync = lookup(j, global, 'fsync') ?? lookup(j, global, 'fdatasync');
  if (!sync || !positiveInt(sync.value)) {
    fail(sync?.line ?? j.line, sync?.key ?? 'fsync', 'the job must sync: set fsync=N (an msync MS_SYNC of the mapping every N writes)', sync?.value ?? '(not set)');
  }
  for (const { key, value, why } of REFUSED_OPTIONS) {
    const o = lookup(j, global, key);
    if (o !== undefined && (value === null || (o.value === '' ? '1' : o.value) === value)) fail(o.line, key, why, o.value === '' ? key : `${key}=${o.value}`);
  }
  const lines: string[] = [`# rewritten by syncsim validate from ${job.path}`];
  for (const s of job.sections) {
    for (const c of s === j ? clones : [undefined]) {
      lines.push(`[${c ? c.name : s.name}]`);
      for (const o of s.options) if (!OWNED_KEYS.has(o.key)) lines.push(o.value === '' ? o.key : `${o.key}=${o.value}`);
      if (c) {
        lines.push(`directory=${out.dataDir}`, `write_iolog=${c.iolog}`, `write_lat_log=${c.latLog}`, 'log_avg_msec=0');
      }
    }
  }
  const advice = mmapAdvice(lookupAny(j, global, ['rw', 'readwrite'])?.value, lookup(j, global, 'fadvise_hint')?.value);
  const unmodelled = UNMODELLED_OPTIONS.flatMap(({ key, value, why }) => {
    const o = lookup(j, global, key);
    if (o === undefined || (value !== null && (o.value === '' ? '1' : o.value) !== value)) return [];
    return [`${job.path}:${o.line}: ${o.value === '' ? key : `${key}=${o.value}`}: ${why}`];
  });
  return { name: j.name, clones, sync_every: Number(sync!.value), sync_option: sync!.key, text: lines.join('\n') + '\n', advice, unmodelled };
}
