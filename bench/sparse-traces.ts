/**
 * Sparse benchmark traces (memory must follow the data, not its spread),
 * written once under bench/data/ (gitignored) and reused:
 * - `tib-90k`: one task maps 1 TiB of one object and writes 90,000 random
 *   4 KiB pages scattered over it, with an `msync SYNC` of the whole mapping
 *   every 1,000 writes;
 * - `objects-50k`: 50,000 objects, each mapped (1 MiB) and written once (one
 *   page), every 100th followed by an `msync SYNC` of its mapping;
 * - `tib-1m`: as `tib-90k` with 1,000,000 writes.
 *
 * Usage: node --import tsx bench/sparse-traces.ts [NAME...]  (prints the paths)
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RandomStream } from '../sim/engine/random.ts';
import { Flag } from '../traces/types.ts';
import { TraceWriter, type RowInput } from '../traces/writer.ts';
import { DATA_DIR } from './trace-data.ts';
import { isMainModule } from '../scripts/main-module.ts';

/** Bump when a generator's output changes, so stale files are not reused. */
const VERSION = 1;
const PS = 4096;
const TIB = 2 ** 40;
/** Mean gap between writes (ns). */
const GAP_NS = 100_000;

/** One task, one 1 TiB mapping, `writes` one-page writes at uniformly random pages, an msync every 1,000. */
function* scatteredWrites(writes: number, seed: number): Generator<RowInput> {
  const rng = new RandomStream(seed, 'bench.sparse');
  const base = TIB; // 0x10000000000
  yield { tNs: 0, task: 'w', op: 'map', addr: base, len: TIB, object: 'disk.img', offset: 0 };
  let t = 0;
  for (let i = 1; i <= writes; i++) {
    t += Math.round(rng.exponential(GAP_NS));
    yield { tNs: t, task: 'w', op: 'write', addr: base + rng.int(TIB / PS) * PS, len: PS };
    if (i % 1000 === 0) yield { tNs: t, task: 'w', op: 'msync', addr: base, len: TIB, flags: Flag.SYNC };
  }
}

/** `objects` objects of 1 MiB, each mapped and written once (one random page); every 100th msynced. */
function* manyObjects(objects: number, seed: number): Generator<RowInput> {
  const rng = new RandomStream(seed, 'bench.objects');
  const base = 2 ** 32;
  const len = 1 << 20;
  let t = 0;
  for (let i = 0; i < objects; i++) {
    const addr = base + i * 2 * len;
    yield { tNs: t, task: 'w', op: 'map', addr, len, object: `obj${i}`, offset: 0 };
    t += Math.round(rng.exponential(GAP_NS));
    yield { tNs: t, task: 'w', op: 'write', addr: addr + rng.int(len / PS) * PS, len: PS };
    if (i % 100 === 99) yield { tNs: t, task: 'w', op: 'msync', addr, len, flags: Flag.SYNC };
  }
}

/** The sparse traces by name: generator, and the peak-RSS target of a whole `syncsim run` (MB, 10^6 bytes). */
export const SPARSE_TRACES: Record<string, { rows: () => Generator<RowInput>; targetMB: number; what: string }> = {
  'tib-90k': { rows: () => scatteredWrites(90_000, 1), targetMB: 300, what: '90,000 scattered 4 KiB writes over a 1 TiB map' },
  'objects-50k': { rows: () => manyObjects(50_000, 1), targetMB: 300, what: '50,000 objects written once each' },
  'tib-1m': { rows: () => scatteredWrites(1_000_000, 1), targetMB: 1000, what: '1,000,000 scattered 4 KiB writes over a 1 TiB map' },
};

/** Makes sure the sparse trace `name` exists under bench/data/; returns its path. */
export async function ensureSparseTrace(name: string): Promise<string> {
  const spec = SPARSE_TRACES[name];
  if (!spec) throw new Error(`unknown sparse trace '${name}' (known: ${Object.keys(SPARSE_TRACES).join(', ')})`);
  const path = join(DATA_DIR, `sparse-v${VERSION}-${name}.csv`);
  if (existsSync(path)) return path;
  mkdirSync(DATA_DIR, { recursive: true });
  const w = await TraceWriter.open(path);
  try {
    for (const row of spec.rows()) await w.write(row);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return path;
}

if (isMainModule(import.meta.url)) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(SPARSE_TRACES);
  for (const n of names) console.log(await ensureSparseTrace(n));
}
