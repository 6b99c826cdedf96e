/**
 * One measured pass over a trace, in its own process so its peak RSS is its
 * own: prints one JSON line {mode, rows, seconds, rowsPerSec, maxRssMiB, compiled}.
 * It runs the code `syncsim` runs, the way `syncsim` runs it: the compiled dist/ when it is up to
 * date with the sources (`npm run build`), with no TypeScript loader in the process (plain
 * JavaScript, like scripts/syncsim.mjs); else the sources through tsx (compiled: false).
 *
 * Usage: node --max-semi-space-size=8 bench/child.mjs MODE FILE [STATS_SAMPLE_US] [PROFILE]
 *   (STATS_SAMPLE_US: the timeline's sampling period for run and replay, default 1000 µs, '' for it;
 *   a 100 M-row run needs a longer one: its timeline would pass its 10 M-row cap.
 *   PROFILE: the device profile of run and replay, default `queue`, the bench's figures; `default`
 *   for the configuration `syncsim run` uses when none is given)
 *   run       what `syncsim run FILE --no-cache` does, less process start-up: reader,
 *             simulator and its result files (written to a temporary directory; timed until
 *             they are in place, then removed untimed)
 *   replay    the replay path alone (runTrace: reader + simulator, no result files, no cache)
 *   csvparse  a bare csv-parse pass (records counted, nothing validated)
 *   read-csv  the native reader alone (parse + validate)
 *   read-sst  the binary cache reader alone, blocks of columns as the replay takes them
 *             (readCacheBlocks; the median of 5 passes in the process)
 *   spin      CPU alone: FILE steps of an integer recurrence held in registers (no memory
 *             traffic): what two processes side by side cost each other for want of cores
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import { chooseEntry } from '../scripts/launch.mjs';

// the code `syncsim` itself runs: the compiled dist/ when it is up to date with the sources, else the sources
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const compiled = chooseEntry(ROOT).compiled;
// a TypeScript loader only when there is no build to run: its hooks would see every import of the
// run and its thread would add to the peak RSS, which the syncsim command's compiled run has neither of
if (!compiled) (await import('tsx/esm/api')).register();
const load = (rel) => import(pathToFileURL(join(ROOT, compiled ? 'dist' : '', compiled ? rel.replace(/\.ts$/, '.js') : rel)).href);
const { resolveConfig } = await load('sim/config.ts');
const { runTrace } = await load('scripts/run.ts');
const { readTrace } = await load('traces/reader.ts');
const { readCacheBlocks } = await load('traces/cache.ts');

const [mode, file, sampleUs, profile = 'queue'] = process.argv.slice(2);
// the bench's device is the plain queue (no CPU costs, no media stages) unless PROFILE says otherwise ('default': syncsim's own default)
const device = profile === 'default' ? {} : { device: { profile } };
const config = () => resolveConfig({ ...device, ...(sampleUs ? { stats: { sample_us: Number(sampleUs) } } : {}) });
const t0 = process.hrtime.bigint();
let rows = 0;
let extra = {};
/** When set, the figure reported instead of the whole pass's time (a median of passes, or a time that leaves out clean-up). */
let reportedSeconds;
switch (mode) {
  case 'run': {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-bench-run-'));
    try {
      const s = await runTrace({ trace: file, config: config(), out: join(dir, 'out') });
      rows = s.trace.rows;
      // timed to here: the run ends with its results in place; removing them is the benchmark's own work
      reportedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    break;
  }
  case 'replay': {
    const s = await runTrace({ trace: file, config: config(), out: undefined });
    rows = s.trace.rows;
    extra = { simTimeUs: s.sim_time_us, syncs: s.sync.count, writebackIos: s.writeback.ios };
    break;
  }
  case 'csvparse':
    for await (const _rec of createReadStream(file).pipe(parse({ comment: '#', skip_empty_lines: true }))) rows++;
    rows--; // the header
    break;
  case 'read-csv':
    for await (const b of readTrace(file)) rows += b.length;
    break;
  case 'read-sst': {
    // a pass takes a fraction of a second: time 5 and keep the median
    const passes = [];
    for (let i = 0; i < 5; i++) {
      const p0 = process.hrtime.bigint();
      rows = 0;
      for await (const b of readCacheBlocks(file)) {
        rows += b.length;
        b.release(); // as the replay does once it has issued a block's rows: the reader reuses the buffer
      }
      passes.push(Number(process.hrtime.bigint() - p0) / 1e9);
    }
    extra = { passes, median: true };
    passes.sort((a, b) => a - b);
    reportedSeconds = passes[2];
    break;
  }
  case 'spin': {
    // CPU alone: FILE is the number of steps of an integer recurrence that stays in registers (no memory
    // traffic, no allocation), to tell whether two processes side by side slow each other for want of cores
    let x = 1;
    const steps = Number(file);
    for (let i = 0; i < steps; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    rows = steps;
    extra = { x };
    break;
  }
  default:
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exit(2);
}
const seconds = reportedSeconds ?? Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ mode, file, rows, seconds, rowsPerSec: rows / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, compiled, ...extra }) + '\n');
