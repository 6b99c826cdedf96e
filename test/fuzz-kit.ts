/**
 * What the seeded fuzz tests share (test/fuzz.test.ts: native traces; test/import-fuzz.test.ts:
 * the importers): the seed and case counts from the environment, a seeded generator, the
 * byte-string {@link Mutator}, and how a case is judged: it must end as the CLI would in
 * success or a clean input error (exit 2) whose message starts with `FILE:LINE: `, never an
 * internal error (exit 1).
 */
import { exitCodeOf } from '../scripts/exit-code.ts';
import { readTrace } from '../traces/reader.ts';
import type { TraceRow } from '../traces/types.ts';
import { gzipSync } from 'node:zlib';
import { seededUniform } from '../traces/import/strace/assume-dirty.ts';

/** The fuzz seed: SYNCSIM_FUZZ_SEED, default 1207. */
export const SEED = Number(process.env.SYNCSIM_FUZZ_SEED ?? 1207);
/** Mutated native traces per run: SYNCSIM_FUZZ_CASES, default 1000 (importer inputs: a third as many). */
export const TRACE_CASES = Number(process.env.SYNCSIM_FUZZ_CASES ?? 600);

/** mulberry32: a small seeded generator (the strace importer's own). */
export const rng: (seed: number) => () => number = seededUniform;

/** Tokens the mutations insert and substitute: the native format's pieces and troublesome bytes. */
export const TOKENS = [
  '', '0', '1', '-1', '7.5', '4096', '8192', '0x10000001', '0x10000000', '0x1000', '0x', '0xg', '9007199254740993', '1e5',
  '18446744073709551616', 'NaN', 'map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire', 'SYNC', 'ASYNC|INVALIDATE',
  'SUBMAP', 'PRIVATE', 'PRECIOUS', 'USER|NOHOLES', '|', 'x_note', 't_us', 'object', '"', '""', '"a,b"', '"multi\nline"', '"cr\r\nlf"',
  'a\xff', 'a\xfe', '\u00e9', 'nul\0', '\x1b[31m', '#', 'data.db', 'db', 'log', 'shlib', 'reader', ' ', '\r',
].map((t) => Buffer.from(t, 'latin1'));
/** Tokens more an strace input gets: its calls' pieces, and file names with escaped bytes (NUL, not UTF-8). */
export const STRACE_TOKENS = [
  ...TOKENS,
  ...[' <unfinished ...>', '<... msync resumed>', ') = 0', ' = -1 ENOMEM (Cannot allocate memory)', ' <0.000010>', '+++ exited with 0 +++',
    'MS_SYNC', 'MS_ASYNC|MS_INVALIDATE', 'MAP_SHARED', 'MAP_PRIVATE|MAP_ANONYMOUS', '0x7f3a00000000', '0x7f3a00004000', '65536', '3</a\\0b>',
    '"/tmp/d\\0b"', '"/tmp/d\\x00"', '"/tmp/a\\377"', '[pid 701] ', '701 ', 'msync(', 'mmap(', 'clone('].map((t) => Buffer.from(t, 'latin1')),
];
/** Bytes a flip writes: structure, bytes that are not UTF-8, controls, digits. */
const FLIP_BYTES = [0x00, 0xff, 0xfe, 0xc3, 0xe2, 0x80, 0x1b, 0x22, 0x2c, 0x0a, 0x0d, 0x23, 0x7c, 0x20, 0x2e, 0x78, 0x30, 0x31, 0x39, 0x61];

/** Values that keep a row well formed, by column index of the native header: replaying them reaches the model's corners. */
const VALID_BY_COLUMN: readonly (readonly string[])[] = [
  [],
  ['db', 'log', 'reader', 'shlib', 'x'],
  ['map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire'],
  ['0x0', '0x10000000', '0x10001000', '0x10000800', '0x10200000', '0x103ff000', '0x20000000', '0x30000000', '0x40000000', '0xfffffffff000'],
  ['0', '1', '512', '4096', '8192', '65536', '4194304', '0x100000000'],
  ['', 'SYNC', 'ASYNC', 'INVALIDATE', 'SYNC|INVALIDATE', 'ASYNC|SYNC', 'USER', 'USER|NOHOLES', 'NOHOLES', 'SUBMAP', 'PRIVATE', 'PRECIOUS'],
  ['', 'data.db', 'wal.log', 'shlib', 'db.conf'],
  ['', '0', '4096', '0x200000'],
];

/** One seeded mutator of byte strings. */
export class Mutator {
  /** The tokens inserted and substituted. */
  tokens: readonly Buffer[] = TOKENS;
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  lines(b: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let from = 0;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, from)) {
      out.push(b.subarray(from, i + 1));
      from = i + 1;
    }
    if (from < b.length) out.push(b.subarray(from));
    return out;
  }
  randomLine(): Buffer {
    const n = 1 + this.int(10);
    const fields = Array.from({ length: n }, () => this.pick(this.tokens));
    return Buffer.concat([...fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(','), f])), Buffer.from('\n')]);
  }
  /** One mutation of `b`; returns the result and its name. */
  once(b: Buffer): [Buffer, string] {
    const kind = this.int(12);
    const at = this.int(b.length + 1);
    const ls = this.lines(b);
    const li = this.int(Math.max(1, ls.length));
    switch (kind) {
      case 0: {
        if (b.length === 0) return [b, 'flip(empty)'];
        const c = Buffer.from(b);
        c[Math.min(at, b.length - 1)] = this.r() < 0.7 ? this.pick(FLIP_BYTES) : this.int(256);
        return [c, `flip@${at}`];
      }
      case 1: {
        if (b.length === 0) return [b, 'bit(empty)'];
        const c = Buffer.from(b);
        c[Math.min(at, b.length - 1)] ^= 1 << this.int(8);
        return [c, `bit@${at}`];
      }
      case 2:
        return [b.subarray(0, at), `truncate@${at}`];
      case 3: {
        // insert a field: before a comma of a line, or at its end
        const line = ls[li] ?? Buffer.alloc(0);
        const commas = [...line.keys()].filter((k) => line[k] === 0x2c);
        const pos = commas.length > 0 && this.r() < 0.8 ? this.pick(commas) : Math.max(0, line.length - 1);
        const tok = Buffer.concat([Buffer.from(','), this.pick(this.tokens)]);
        ls[li] = Buffer.concat([line.subarray(0, pos), tok, line.subarray(pos)]);
        return [Buffer.concat(ls), `field+@${li}`];
      }
      case 4: {
        // replace a field
        const line = ls[li] ?? Buffer.alloc(0);
        const parts = line.toString('latin1').replace(/\n$/, '').split(',');
        parts[this.int(parts.length)] = this.pick(this.tokens).toString('latin1');
        ls[li] = Buffer.from(parts.join(',') + (line.at(-1) === 10 ? '\n' : ''), 'latin1');
        return [Buffer.concat(ls), `field=@${li}`];
      }
      case 5:
        ls.splice(li, 0, this.r() < 0.5 && ls.length > 0 ? this.pick(ls) : this.randomLine());
        return [Buffer.concat(ls), `line+@${li}`];
      case 6:
        ls.splice(li, 1);
        return [Buffer.concat(ls), `line-@${li}`];
      case 7: {
        const lj = this.int(Math.max(1, ls.length));
        if (ls.length > 1) [ls[li], ls[lj]] = [ls[lj]!, ls[li]!];
        return [Buffer.concat(ls), `swap@${li},${lj}`];
      }
      case 9:
      case 10:
      case 11: {
        // a well-formed value in a well-formed place (rows stay valid more often than not)
        const line = ls[li] ?? Buffer.alloc(0);
        const parts = line.toString('latin1').replace(/\n$/, '').split(',');
        if (parts.length !== VALID_BY_COLUMN.length || line[0] === 0x23) return [b, 'valid(skip)'];
        const col = 1 + this.int(VALID_BY_COLUMN.length - 1);
        parts[col] = this.pick(VALID_BY_COLUMN[col]!);
        ls[li] = Buffer.from(parts.join(',') + '\n', 'latin1');
        return [Buffer.concat(ls), `valid@${li}:${col}`];
      }
      default: {
        // insert raw bytes anywhere
        const tok = this.pick(this.tokens);
        return [Buffer.concat([b.subarray(0, at), tok, b.subarray(at)]), `bytes@${at}`];
      }
    }
  }
  onceValid(b: Buffer): [Buffer, string] {
    for (;;) {
      const r = this.once(b);
      if (r[1].startsWith('valid@')) return r;
    }
  }
  /** 1 to 3 mutations (or, for native traces, 1 to 6 well-formed ones), sometimes gzipped (and sometimes the gzip broken). */
  mutate(b: Buffer, native = true): [Buffer, string] {
    let cur = b;
    const names: string[] = [];
    const valid = native && this.r() < 0.35;
    for (let k = 1 + this.int(valid ? 6 : 3); k > 0; k--) {
      const [next, name] = valid ? this.onceValid(cur) : this.once(cur);
      cur = next;
      names.push(name);
    }
    const g = this.r();
    if (g < 0.08) {
      cur = gzipSync(cur);
      names.push('gzip');
    } else if (g < 0.11) {
      const z = gzipSync(cur);
      cur = this.r() < 0.5 ? z.subarray(0, 2 + this.int(z.length - 2)) : Buffer.from(z.map((x, i) => (i === 10 + this.int(z.length - 10) ? x ^ 0x55 : x)));
      names.push('gzip-broken');
    }
    return [cur, names.join(' ')];
  }
}

/** CPU seconds (user + system) of this process since `from`, for the log. */
export const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return ((u.user + u.system) / 1e6).toFixed(1);
};

/** How a call ended, as the CLI would end: 0, or 2 with its message, or 1 with the stack. */
export type Outcome = { code: 0 } | { code: 1 | 2; message: string };

/** How `f` ends, as the CLI would end with it. */
export async function outcome(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    await f();
    return { code: 0 };
  } catch (e) {
    const code = exitCodeOf(e);
    return { code, message: code === 2 ? (e as Error).message : ((e as Error).stack ?? String(e)) };
  }
}

/** Whether `message` starts with `FILE:LINE: `. */
export const located = (file: string, message: string) => message.startsWith(`${file}:`) && /^\d+: /.test(message.slice(file.length + 1));

/** Problems of one case, empty when it behaved. */
export function check(what: string, file: string, o: Outcome): string[] {
  if (o.code === 0) return [];
  if (o.code === 1) return [`${what}: internal error (exit 1): ${o.message}`];
  if (!located(file, o.message)) return [`${what}: exit 2 without FILE:LINE: ${o.message}`];
  if (/[\u0000-\u001f\u007f]/.test(o.message)) return [`${what}: raw control character in ${JSON.stringify(o.message)}`];
  return [];
}

/** Every row of a native trace. */
export async function readAll(path: string): Promise<TraceRow[]> {
  const rows: TraceRow[] = [];
  for await (const b of readTrace(path)) rows.push(...b);
  return rows;
}

/** Prints the first failures of a fuzz case with the seed. */
export function report(failures: string[], tried: number): void {
  if (failures.length > 0) {
    console.error(`fuzz seed ${SEED}: ${failures.length} failure(s) of ${tried} cases; first ones:\n${failures.slice(0, 5).join('\n\n')}`);
  }
}
