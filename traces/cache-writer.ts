/**
 * Writing the binary trace cache (`.sst`, layout in cache.ts): rows, or
 * blocks of columns as the CSV reader's block pass yields them, gathered
 * into the cache's blocks of BLOCK_ROWS rows. Either way gives the same
 * bytes: the columns, the task and object names interned in the order
 * they first occur, the `x_*` values as JSON.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { processAlive, readHead, TempFile } from './files.ts';
import { BLOCK_HEADER_BYTES, BLOCK_ROWS, CACHE_MAGIC, cacheTempPath, encodeHeader, hashBytes, HEADER_BYTES, pad8, payloadBytes, shaBytes, type SourceIdentity } from './cache.ts';
import { OP_INDEX } from './block-builder.ts';
import type { RowBlock, TraceRow } from './types.ts';

/** One string table of a block being copied, and what each of its entries is in the writer's table (-1: not looked up yet). */
interface Translation {
  source: readonly string[] | undefined;
  to: Int32Array;
}

/** Streams rows into a cache file, written under a temporary name and renamed by `close`. */
export class TraceCacheWriter {
  private readonly file: TempFile;
  private pos = HEADER_BYTES;
  private rows = 0;
  private blocks = 0;
  private readonly tasks = new Map<string, number>();
  private readonly objects = new Map<string, number>();
  private extraCols: string[] | undefined;
  // the cache block being filled: `fill` rows of columns
  private fill = 0;
  private readonly tNs = new Float64Array(BLOCK_ROWS);
  private readonly addr = new Float64Array(BLOCK_ROWS);
  private readonly len = new Float64Array(BLOCK_ROWS);
  private readonly offset = new Float64Array(BLOCK_ROWS);
  private readonly line = new Uint32Array(BLOCK_ROWS);
  private readonly task = new Uint32Array(BLOCK_ROWS);
  private readonly object = new Uint32Array(BLOCK_ROWS);
  private readonly flags = new Uint32Array(BLOCK_ROWS);
  private readonly op = new Uint8Array(BLOCK_ROWS);
  private extras: string[][] = [];
  private readonly taskNames: Translation = { source: undefined, to: new Int32Array(0) };
  private readonly objectNames: Translation = { source: undefined, to: new Int32Array(0) };

  /** `mayReplace`: the command's check of `path`, made again before the cache takes its place ({@link TempFile.commit}). */
  constructor(readonly path: string, private readonly source: SourceIdentity, private readonly mayReplace?: () => void) {
    this.file = new TempFile(path, cacheTempPath(path));
    // the magic first, the rest of the header (with its checksum) at the end: a temporary file left
    // by a killed writer is recognisable as a cache being written (and removed by the next writer),
    // while no reader takes it for a whole cache
    try {
      this.file.writeAt(Buffer.from(CACHE_MAGIC, 'latin1'), 0);
    } catch (e) {
      this.file.abort(); // no writer for the caller to abort: the file and its descriptor go here
      throw e;
    }
  }

  private index(map: Map<string, number>, s: string): number {
    let i = map.get(s);
    if (i === undefined) {
      i = map.size;
      map.set(s, i);
    }
    return i;
  }

  /** Appends rows (in trace order). */
  add(rows: readonly TraceRow[]): void {
    for (const r of rows) {
      if (this.extraCols === undefined) this.extraCols = r.extra ? Object.keys(r.extra) : [];
      const i = this.fill;
      this.tNs[i] = r.tNs;
      this.addr[i] = r.addr;
      this.len[i] = r.len;
      this.offset[i] = r.offset;
      this.line[i] = r.line;
      this.task[i] = this.index(this.tasks, r.task);
      this.object[i] = this.index(this.objects, r.object);
      this.flags[i] = r.flags;
      this.op[i] = OP_INDEX[r.op] ?? -1;
      if (this.extraCols.length > 0) this.extras.push(this.extraCols.map((c) => r.extra?.[c] ?? ''));
      if (++this.fill === BLOCK_ROWS) this.flushBlock();
    }
  }

  /**
   * Appends a block of columns (in trace order), the same as adding its
   * rows; the block is only read, so its reader may reuse it once the
   * caller releases it.
   */
  addBlock(b: RowBlock): void {
    const s = b.strings;
    if (this.extraCols === undefined && b.length > 0) this.extraCols = b.extras?.[0] !== undefined ? [...s.extraCols] : [];
    const cols = this.extraCols ?? [];
    // the block's x_ values in the writer's column order ('' for a column the block lacks)
    const pick = cols.map((c) => s.extraCols.indexOf(c));
    const same = pick.every((k, j) => k === j) && pick.length === s.extraCols.length;
    for (let start = 0; start < b.length;) {
      const n = Math.min(b.length - start, BLOCK_ROWS - this.fill), end = start + n, at = this.fill;
      this.tNs.set(b.tNs.subarray(start, end), at);
      this.addr.set(b.addr.subarray(start, end), at);
      this.len.set(b.len.subarray(start, end), at);
      this.offset.set(b.offset.subarray(start, end), at);
      this.line.set(b.line.subarray(start, end), at);
      this.flags.set(b.flags.subarray(start, end), at);
      this.op.set(b.op.subarray(start, end), at);
      this.translate(b.task, start, end, s.tasks, this.taskNames, this.tasks, this.task, at);
      this.translate(b.object, start, end, s.objects, this.objectNames, this.objects, this.object, at);
      if (cols.length > 0) {
        for (let i = start; i < end; i++) {
          const v = b.extras?.[i];
          this.extras.push(v === undefined ? cols.map(() => '') : same ? v.map((x) => x ?? '') : pick.map((k) => (k >= 0 ? v[k] ?? '' : '')));
        }
      }
      this.fill += n;
      start = end;
      if (this.fill === BLOCK_ROWS) this.flushBlock();
    }
  }

  /** Copies the index column `src[start, end)` of names `names` into `dst` at `at`, as indexes into the writer's `map`. */
  private translate(src: Uint32Array, start: number, end: number, names: readonly string[], t: Translation, map: Map<string, number>, dst: Uint32Array, at: number): void {
    if (t.source !== names || t.to.length < names.length) {
      // a new table, or the reader's table grew (it only appends): keep what was looked up for the same table
      const to = new Int32Array(Math.max(names.length, 16)).fill(-1);
      if (t.source === names) to.set(t.to);
      t.source = names;
      t.to = to;
    }
    const to = t.to;
    for (let i = start; i < end; i++) {
      const k = src[i];
      let v = k < names.length ? to[k] : -1;
      if (v < 0) {
        const name = names[k];
        if (name === undefined) throw new RangeError(`trace cache: a block's row names entry ${k} of a table of ${names.length}`);
        v = to[k] = this.index(map, name);
      }
      dst[at + i - start] = v;
    }
  }

  private flushBlock(): void {
    const n = this.fill;
    if (n === 0) return;
    const extras = this.extras.length > 0 ? Buffer.from(JSON.stringify(this.extras)) : Buffer.alloc(0);
    const payload = payloadBytes(n, extras.length);
    const buf = new ArrayBuffer(BLOCK_HEADER_BYTES + payload);
    const dv = new DataView(buf);
    let off = BLOCK_HEADER_BYTES;
    for (const col of [this.tNs, this.addr, this.len, this.offset]) {
      new Float64Array(buf, off, n).set(col.subarray(0, n));
      off += 8 * n;
    }
    for (const col of [this.line, this.task, this.object, this.flags]) {
      new Uint32Array(buf, off, n).set(col.subarray(0, n));
      off += 4 * n;
    }
    new Uint8Array(buf, off, n).set(this.op.subarray(0, n));
    off += pad8(n);
    dv.setUint32(off, extras.length, true);
    off += 8;
    new Uint8Array(buf, off, extras.length).set(extras);
    const body = new Uint8Array(buf, BLOCK_HEADER_BYTES, payload);
    dv.setUint32(0, n, true);
    dv.setUint32(4, payload, true);
    dv.setUint32(8, hashBytes(body), true);
    this.file.writeAt(new Uint8Array(buf), this.pos);
    this.pos += buf.byteLength;
    this.rows += n;
    this.blocks++;
    this.fill = 0;
    this.extras = [];
  }

  /**
   * Writes the remaining rows, the string table and the header, and renames the file into place.
   * `sourceSha256`: the SHA-256 (hex) of the source's bytes the rows were read from, recorded in
   * the header; without it the cache records none, and a replay of the CSV never takes it as its
   * cache (cache.ts, cacheMatches).
   */
  close(sourceSha256?: string): void {
    const sha = shaBytes(sourceSha256); // a malformed hash throws before anything more is written
    this.flushBlock();
    const strings = Buffer.from(JSON.stringify({ tasks: [...this.tasks.keys()], objects: [...this.objects.keys()], extraCols: this.extraCols ?? [] }));
    this.file.writeAt(strings, this.pos);
    const header = encodeHeader({
      rows: this.rows, blocks: this.blocks, source: this.source, stringsOffset: this.pos, stringsLength: strings.length, stringsSum: hashBytes(strings),
      ...(sha.every((x) => x === 0) ? {} : { sourceSha256 }),
    });
    this.file.writeAt(header, 0);
    this.file.commit(false, this.mayReplace);
  }

  /** Drops the temporary file. */
  abort(): void {
    this.file.abort();
  }
}

/**
 * Removes the temporary files of cache writers of `path` that died before they renamed (a
 * `syncsim convert -o PATH` killed mid-way): `PATH.tmp-PID-THREAD@HOST` ({@link cacheTempPath})
 * of this host whose process no longer runs, a regular file that is empty or begins with the
 * cache's magic, as such a writer leaves it. Any other file, another host's, or a live
 * writer's is left alone. (A cache directory's are cleared by traces/open.ts, whatever their trace.)
 */
export function clearDeadCacheWriters(path: string): void {
  const dir = dirname(path), prefix = `${basename(path)}.tmp-`, host = `@${hostname()}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the writer's own open says what is wrong with the directory
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(host)) continue;
    const m = /^(\d+)-\d+$/.exec(name.slice(prefix.length, name.length - host.length));
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const file = join(dir, name);
    try {
      if (!lstatSync(file).isFile()) continue;
    } catch {
      continue;
    }
    const head = readHead(file, CACHE_MAGIC.length);
    if (head !== undefined && (head.length === 0 || head.toString('latin1') === CACHE_MAGIC)) rmSync(file, { force: true });
  }
}
