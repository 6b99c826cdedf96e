/**
 * A sweep's word on the default `writeback.policy: none`, as `syncsim run`
 * says it of one run (scripts/background-note.ts): counted over the runs in
 * which a page waited for its msync longer than the age at which its
 * kernel's background writeback would have written it, and said only when
 * the experiment (its `base` or `grid`, DIR/experiment.yaml) does not name
 * the policy.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Summary } from '../../sim/stats/summary.ts';
import { backgroundWritebackNote } from '../background-note.ts';
import { parseYamlDoc } from '../yaml-file.ts';

/** Runs whose results the default policy shaped, and the longest wait of a page for its write among them (µs). */
export interface AgedUnderNone {
  runs: number;
  maxLagUs: number;
  /** Their personalities, in first-seen order. */
  personalities: string[];
}

/** No such run yet. */
export const noneAged = (): AgedUnderNone => ({ runs: 0, maxLagUs: 0, personalities: [] });

/** Counts `summary`'s run in `into` when the default policy shaped it ({@link backgroundWritebackNote}). */
export function countAged(into: AgedUnderNone, summary: unknown): void {
  const s = summary as Summary;
  if (backgroundWritebackNote(s, false) === undefined) return;
  into.runs++;
  into.maxLagUs = Math.max(into.maxLagUs, s.durability.lag_us.max ?? 0);
  if (!into.personalities.includes(s.config.personality)) into.personalities.push(s.config.personality);
}

/** Whether a key of a mapping, dotted or nested, names `writeback.policy` (or the whole writeback group). */
function namesPolicy(section: unknown): boolean {
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return false;
  for (const [k, v] of Object.entries(section)) {
    if (k === 'writeback.policy') return true;
    if (k === 'writeback') return typeof v !== 'object' || v === null || Array.isArray(v) || 'policy' in v || namesPolicyInGrid(v);
  }
  return false;
}

/** A grid's `writeback:` axis lists groups: any of them naming the policy names it. */
function namesPolicyInGrid(v: object): boolean {
  return Array.isArray(v) && v.some((g) => g !== null && typeof g === 'object' && 'policy' in g);
}

/** Whether the experiment text names `writeback.policy` in its base or grid (an unreadable one counts as naming it: nothing is said then). */
export function experimentNamesPolicy(text: string): boolean {
  try {
    const root = parseYamlDoc(text).doc.toJS() as Record<string, unknown> | null;
    if (root === null || typeof root !== 'object') return true;
    const grid = root.grid as Record<string, unknown> | undefined;
    if (grid && typeof grid === 'object' && (grid['writeback.policy'] !== undefined || (Array.isArray(grid.writeback) && namesPolicyInGrid(grid.writeback)))) return true;
    return namesPolicy(root.base);
  } catch {
    return true;
  }
}

/** Whether the sweep directory's copy of its experiment (DIR/experiment.yaml) names the policy; true when there is none to read. */
export function sweepNamesPolicy(experimentYaml: string): boolean {
  return !existsSync(experimentYaml) || experimentNamesPolicy(readFileSync(experimentYaml, 'utf8'));
}

/** The warning for a sweep whose runs the default policy shaped, else undefined. */
export function agedWarning(a: AgedUnderNone): string | undefined {
  if (a.runs === 0) return undefined;
  const daemons = a.personalities.map((p) => (p === 'freebsd' ? 'freebsd\'s syncer (writeback.policy: syncer)' : p === 'linux' ? 'linux\'s flusher threads (writeback.policy: flusher)' : undefined)).filter((d) => d !== undefined);
  const models = daemons.length > 0 ? daemons.join(', ') : 'a syncer or flusher policy';
  return `writeback.policy is none (the default) in ${a.runs} run${a.runs === 1 ? '' : 's'} in which a page waited up to ${(a.maxLagUs / 1e6).toFixed(1)} s for its write (summary.json durability.lag_us.max): `
    + `a kernel's background writeback writes pages once they have been dirty for about 30 s, which leaves later msyncs less to write; ${models} in the experiment's base models it, and naming the policy (none included) silences this`;
}
