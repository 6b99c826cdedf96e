/**
 * Start-up of the syncsim command as a user meets it (issue 17, "A CLI that starts instantly"):
 * the wall-clock time of `syncsim --version` and of `syncsim run` on a 5-row trace, each spawned
 * 5 times, the median against its target. It says whether the compiled dist/ ran (after
 * `npm ci` or `npm run build`) or the sources through tsx (no build, or a source edited since).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseEntry } from '../scripts/launch.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The `syncsim` command as npm installs it: package.json's `bin` (scripts/syncsim.cjs). */
const BIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { syncsim: string } }).bin.syncsim);

/** A 5-row trace: map, two writes, msync SYNC, unmap. */
const FIVE_ROWS = `# syncsim-trace v1
t_us,task,op,addr,len,flags,object,offset
0,a,map,0x10000000,65536,,data,0
10,a,write,0x10000000,4096,,,
20,a,write,0x10002000,4096,,,
1000,a,msync,0x10000000,65536,SYNC,,
2000,a,unmap,0x10000000,65536,,,
`;

/** One measured command: its median and every time (s), against its target. */
export interface StartTime { command: string; medianS: number; timesS: number[]; targetS: number; met: boolean }

/** What {@link benchCliStart} measured; `nodeS` is the median start of a bare `node -e 0`, the floor on this machine now. */
export interface CliStartResult { compiled: boolean; why?: string; nodeS: number; version: StartTime; run5: StartTime }

/** The median of 5 wall-clock times of `node BIN ARGS` (`args` gets the pass number), or of `node ARGV` when `bin` is false. */
function time(command: string, targetS: number, args: (i: number) => string[], bin = true): StartTime {
  const timesS: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, bin ? [BIN, ...args(i)] : args(i), { encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${command} failed (status ${r.status}): ${r.stderr}`);
    timesS.push(s);
  }
  const medianS = [...timesS].sort((a, b) => a - b)[2]!;
  return { command, medianS, timesS, targetS, met: medianS <= targetS };
}

/** Measures `syncsim --version` (target 0.15 s) and a 5-row `syncsim run` (target 0.5 s). */
export function benchCliStart(): CliStartResult {
  const choice = chooseEntry(ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-bench-cli-'));
  try {
    const trace = join(dir, 'five.csv');
    writeFileSync(trace, FIVE_ROWS);
    return {
      compiled: choice.compiled, ...(choice.compiled ? {} : { why: choice.why }),
      nodeS: time('node -e 0', Infinity, () => ['-e', '0'], false).medianS,
      version: time('syncsim --version', 0.15, () => ['--version']),
      run5: time('syncsim run five.csv (5 rows)', 0.5, (i) => ['run', trace, '--out', join(dir, `out${i}`)]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's line for `r`. */
export function cliStartLine(r: CliStartResult): string {
  const one = (t: StartTime) => `${t.command} ${t.medianS.toFixed(3)} s (target <= ${t.targetS} s: ${t.met ? 'met' : 'MISSED'}; ${t.timesS.map((s) => s.toFixed(3)).join(' ')})`;
  return `cli start-up, wall clock, median of 5, ${r.compiled ? 'compiled dist/' : `sources through tsx (${r.why}; npm run build)`}: ${one(r.version)}; ${one(r.run5)}; a bare node -e 0 ${r.nodeS.toFixed(3)} s`;
}
