/**
 * Synthesised stores (`--assume-dirty`): strace cannot see stores to mapped
 * memory, so the importer writes only what the chosen mode assumes.
 *
 * - `none`, `whole-range-before-msync`, `mapped-before-msync`: fixed rules;
 * - `pages=N`: N pages before each msync, drawn without replacement from the
 *   writable mapped pages of its range (a seeded stream: the same input and
 *   seed give the same trace);
 * - `measured`: as `pages=N`, N derived from each msync's measured duration
 *   by the caller's device model (`ImportOptions.pagesForMeasured`, from a
 *   calibration file).
 */
import { PROT_WRITE } from './linux.ts';
import type { AddressSpace, Range } from './address-space.ts';

/** What a mode may use besides the msync's range. */
export interface StoreContext {
  pageSize: number;
  /** The msync's measured duration in µs (`-T`), or -1 when strace did not time it. */
  measuredUs: number;
}

/** One way of guessing the stores before an msync. */
export interface AssumeDirtyMode {
  /** What the mode assumes, for `--help`. */
  description: string;
  /** The stores to synthesise just before an msync of [addr, addr+len) in `space`. */
  stores(space: AddressSpace, addr: number, len: number, ctx: StoreContext): Range[];
}

/** The writable mapped parts of [addr, addr+len). */
function writablePieces(s: AddressSpace, addr: number, len: number): Range[] {
  return s.maps.pieces(addr, addr + len).filter((p) => p.m.prot & PROT_WRITE).map((p) => [p.start, p.end - p.start] as const);
}

/** The fixed modes by `--assume-dirty` name. */
export const ASSUME_DIRTY: Readonly<Record<string, AssumeDirtyMode>> = {
  none: {
    description: 'no stores: only maps, syncs and wiring (the default; the import warns that msyncs will write nothing)',
    stores: () => [],
  },
  'whole-range-before-msync': {
    description: 'one write of the whole msync range just before each msync (holes included; one wider than a run takes is cut one page past its first hole)',
    stores: (_s, addr, len) => (len > 0 ? [[addr, len]] : []),
  },
  'mapped-before-msync': {
    description: 'one write of each writable (PROT_WRITE) mapping\'s part of the msync range just before each msync',
    stores: (s, addr, len) => writablePieces(s, addr, len),
  },
};

/** Descriptions of the parametrised modes, for `--help`. */
const PARAMETRISED: Readonly<Record<string, string>> = {
  'pages=N': 'N pages before each msync, spread at random (seeded) over the writable mapped pages of its range',
  measured: 'as pages=N, with N from each msync\'s measured duration and the calibrated device (import --calibration FILE)',
};

/** The `--assume-dirty` modes the strace importer offers, with what each assumes. */
export const ASSUME_DIRTY_MODES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(ASSUME_DIRTY).map(([k, v]) => [k, v.description])),
  ...PARAMETRISED,
};

/** A small seeded generator (mulberry32): the importer's only randomness. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct pages drawn uniformly from the writable mapped pages of
 * [addr, addr+len) (all of them when there are fewer), as runs of contiguous
 * pages in address order.
 */
export function spreadPages(s: AddressSpace, addr: number, len: number, count: number, ps: number, uniform: () => number): Range[] {
  // whole pages outward, as the kernel rounds an msync's range (its length up): msync(p, 100) covers page p
  const pieces = writablePieces(s, addr, len).map(([a, l]) => [Math.floor(a / ps) * ps, Math.ceil((a + l) / ps) * ps] as const).filter(([a, e]) => e > a);
  const total = pieces.reduce((n, [a, e]) => n + (e - a) / ps, 0);
  const k = Math.min(count, total);
  if (k <= 0) return [];
  // Floyd's sampling of k distinct ranks in [0, total)
  const chosen = new Set<number>();
  for (let j = total - k; j < total; j++) {
    const t = Math.floor(uniform() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  const ranks = [...chosen].sort((x, y) => x - y);
  const out: [number, number][] = [];
  let pi = 0, before = 0;
  for (const r of ranks) {
    while (r >= before + (pieces[pi]![1] - pieces[pi]![0]) / ps) {
      before += (pieces[pi]![1] - pieces[pi]![0]) / ps;
      pi++;
    }
    const page = pieces[pi]![0] + (r - before) * ps;
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === page) last[1] += ps;
    else out.push([page, ps]);
  }
  return out;
}

/** Whether the `--assume-dirty` mode `name` draws at random, so that its seed matters (`pages=N`, `measured`); not the fixed modes, nor none given. */
export function drawsAtRandom(name: string | undefined): boolean {
  return name !== undefined && !Object.hasOwn(ASSUME_DIRTY, name);
}

/**
 * What is wrong with `--assume-dirty NAME` as a mode that can run (`measured` only with a
 * calibration: `calibrated`), in the words of the command line; undefined when nothing is.
 */
export function assumeDirtyProblem(name: string, calibrated: boolean): string | undefined {
  if (Object.hasOwn(ASSUME_DIRTY, name) || (name === 'measured' && calibrated)) return undefined;
  if (name === 'measured') return '--assume-dirty measured needs --calibration FILE (the device that turns a measured msync duration into pages)';
  if (/^pages=/.test(name)) {
    return assumeDirtyMode(name, 1) ? undefined : `--assume-dirty pages=N expects N a whole number of pages, at least 1 (got '${name}')`;
  }
  return `--assume-dirty: unknown mode '${name}' (expected one of ${Object.keys(ASSUME_DIRTY_MODES).join(', ')})`;
}

/**
 * The mode named `name`, or undefined: a fixed one, `pages=N` (N ≥ 1), or
 * `measured` when `pagesForMeasured` is given.
 */
export function assumeDirtyMode(name: string, seed: number, pagesForMeasured?: (us: number) => number): AssumeDirtyMode | undefined {
  const fixed = ASSUME_DIRTY[name];
  if (fixed) return fixed;
  const m = /^pages=(\d+)$/.exec(name);
  if (m && Number(m[1]) >= 1 && Number.isSafeInteger(Number(m[1]))) {
    const n = Number(m[1]);
    const uniform = seededUniform(seed);
    return { description: PARAMETRISED['pages=N']!, stores: (s, addr, len, ctx) => spreadPages(s, addr, len, n, ctx.pageSize, uniform) };
  }
  if (name === 'measured' && pagesForMeasured) {
    const uniform = seededUniform(seed);
    return {
      description: PARAMETRISED.measured!,
      stores: (s, addr, len, ctx) => (ctx.measuredUs < 0 ? [] : spreadPages(s, addr, len, pagesForMeasured(ctx.measuredUs), ctx.pageSize, uniform)),
    };
  }
  return undefined;
}
