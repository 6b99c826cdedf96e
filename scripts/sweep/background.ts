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
import { backgroundWritebackNote, KERNEL_DAEMON } from '../background-note.ts';
import { parseYamlDoc } from '../yaml-file.ts';
import { addLeafKeys } from '../idle-keys.ts';

/** Runs whose results the default policy shaped, and the longest wait of a page for its write among them (µs). */
export interface AgedUnderNone {
  runs: number;
  maxLagUs: number;
  /** Their personalities, in first-seen order. */
  personalities: string[];
}

/** No such run yet. */
export const noneAged = (): AgedUnderNone => ({ runs: 0, maxLagUs: 0, personalities: [] });

/**
 * Whether `summary` holds what the note reads: a summary.json of a syncsim before the durability
 * lag (2026-12-02), merged or swept over again, has no `durability.lag_us` and is not counted.
 */
function hasWhatTheNoteReads(summary: unknown): summary is Summary {
  const group = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!group(summary) || !group(summary.config) || !group(summary.durability) || !group(summary.writeback)) return false;
  return group(summary.config.writeback) && group(summary.durability.lag_us) && group(summary.writeback.by_cause);
}

/** Counts `summary`'s run in `into` when the default policy shaped it ({@link backgroundWritebackNote}). */
export function countAged(into: AgedUnderNone, summary: unknown): void {
  if (!hasWhatTheNoteReads(summary) || backgroundWritebackNote(summary, false) === undefined) return;
  into.runs++;
  into.maxLagUs = Math.max(into.maxLagUs, summary.durability.lag_us.max ?? 0);
  if (!into.personalities.includes(summary.config.personality)) into.personalities.push(summary.config.personality);
}

/** Whether a `base` (a mapping of keys, nested or dotted, in any mix and order) gives `writeback.policy`. */
function baseNamesPolicy(base: unknown): boolean {
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return false;
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(base)) addLeafKeys(keys, k, v);
  return keys.has('writeback.policy');
}

/** Whether a `grid` gives `writeback.policy`: as its key, or in a value of an axis of its group (`writeback: [{ policy: flusher }]`). */
function gridNamesPolicy(grid: unknown): boolean {
  if (grid === null || typeof grid !== 'object' || Array.isArray(grid)) return false;
  const keys = new Set<string>();
  for (const [k, values] of Object.entries(grid)) for (const v of Array.isArray(values) ? values : [values]) addLeafKeys(keys, k, v);
  return keys.has('writeback.policy');
}

/** Whether the experiment text names `writeback.policy` in its base or grid (an unreadable one counts as naming it: nothing is said then). */
export function experimentNamesPolicy(text: string): boolean {
  try {
    const root = parseYamlDoc(text).doc.toJS() as Record<string, unknown> | null;
    if (root === null || typeof root !== 'object') return true;
    return gridNamesPolicy(root.grid) || baseNamesPolicy(root.base);
  } catch {
    return true;
  }
}

/** Whether the sweep directory's copy of its experiment (DIR/experiment.yaml) names the policy; true when there is none to read. */
export function sweepNamesPolicy(experimentYaml: string): boolean {
  return !existsSync(experimentYaml) || experimentNamesPolicy(readFileSync(experimentYaml, 'utf8'));
}

/** The note for a sweep whose runs the default policy shaped (a note, as `syncsim run`'s of one run), else undefined. */
export function agedNote(a: AgedUnderNone): string | undefined {
  if (a.runs === 0) return undefined;
  const daemons = a.personalities.flatMap((p) => {
    const k = KERNEL_DAEMON[p];
    return k ? [`${p}'s ${k.daemon} (writeback.policy: ${k.policy})`] : [];
  });
  const models = daemons.length > 0 ? daemons.join(', ') : 'a syncer or flusher policy';
  return `writeback.policy is none (the default) in ${a.runs} run${a.runs === 1 ? '' : 's'} in which a page waited up to ${(a.maxLagUs / 1e6).toFixed(1)} s for its write (summary.json durability.lag_us.max): `
    + `a kernel's background writeback writes pages once they have been dirty for about 30 s, which leaves later msyncs less to write; ${models} in the experiment's base models it, and naming the policy (none included) silences this`;
}
