/**
 * The keys `syncsim calibrate` writes under a profile's `linux:` section (what it measured of
 * the machine's Linux kernel: the filesystem, its read-ahead, the CPU costs only the linux
 * personality reads), and the warning for a profile an earlier calibrate wrote with those keys
 * at its top level, used under another personality.
 */
import { readFileSync } from 'node:fs';
import { type Config, layOver, withSection } from '../sim/config.ts';
import { ownKeys } from '../sim/config-sections.ts';
import { PERSONALITY_KEYS } from '../sim/key-scopes.ts';
import { applySet } from './config-sets.ts';
import { profilePathOf, readConfigFile } from './config-file.ts';
import { addLeafKeys } from './idle-keys.ts';
import { showPath } from './sweep/store.ts';

type JsonObject = Parameters<typeof layOver>[0];

/** The first characters of a profile `syncsim calibrate` wrote (its head comment). */
export const CALIBRATE_HEAD = '# syncsim calibrate (';

/**
 * Whether calibrate writes dotted key `key` under `linux:`: every `fs.*` and `readahead.*` key
 * (the Linux filesystem it found, Linux's read_ahead_kb), and the `cpu.*` keys only the linux
 * personality reads (sim/key-scopes.ts PERSONALITY_KEYS: `cpu.clean_page_busy_us`, ...). The
 * device keys and the other `cpu.*` keys stay at the top level, for every personality.
 */
export function isLinuxCalibratedKey(key: string): boolean {
  if (key.startsWith('fs.') || key.startsWith('readahead.')) return true;
  const who = PERSONALITY_KEYS[key];
  return key.startsWith('cpu.') && who !== undefined && who.length === 1 && who[0] === 'linux';
}

/** The Linux keys ({@link isLinuxCalibratedKey}) a profile of calibrate at `path` gives at its top level; none for another file. */
export function topLevelLinuxKeys(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  if (!text.startsWith(CALIBRATE_HEAD)) return [];
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(ownKeys(readConfigFile(path)))) addLeafKeys(keys, k, v);
  return [...keys].filter(isLinuxCalibratedKey);
}

/**
 * The warning for the calibrate profile `shown` whose top-level Linux keys `keys` apply under
 * `personalities` (not linux), or undefined without such keys.
 */
export function legacyProfileWarning(shown: string, keys: readonly string[], personalities: readonly string[]): string | undefined {
  if (keys.length === 0 || personalities.length === 0) return undefined;
  const who = personalities.length === 1 ? `the ${personalities[0]} personality` : `the ${personalities.slice(0, -1).join(', ')} and ${personalities[personalities.length - 1]} personalities`;
  return `${shown}: this profile of syncsim calibrate gives ${keys.join(', ')} at its top level, so under ${who} they apply too, though calibrate measured them of this machine's Linux kernel; `
    + `calibrate now writes them under 'linux:' (since 2026-12-07), which applies them under the linux personality only: re-run syncsim calibrate, or move them under 'linux:' by hand in a copy of another name (calibrate -o replaces a profile it wrote, your edits with it)`;
}

/**
 * The warnings of a run whose config file `file` and `--set`s `sets` resolved to `config`: for
 * the config file and the profile file its keys name, each one an earlier calibrate wrote with
 * its Linux keys at the top level, when the personality is not linux (at most one a file).
 */
export function legacyProfileWarnings(file: string | undefined, sets: readonly string[], config: Pick<Config, 'personality'>): string[] {
  if (config.personality === 'linux') return [];
  const user: JsonObject = file ? readConfigFile(file) : {};
  const over: JsonObject = {};
  for (const kv of sets) applySet(over, kv);
  const flat = withSection(layOver(user, over), config.personality);
  const profile = profilePathOf(flat, { file, profileFromSet: (over.device as JsonObject | undefined)?.profile !== undefined });
  const out: string[] = [];
  for (const [path, shown] of [[file, file], [profile, profile && showPath(profile)]] as const) {
    if (path === undefined || shown === undefined) continue;
    const w = legacyProfileWarning(shown, topLevelLinuxKeys(path), [config.personality]);
    if (w !== undefined) out.push(w);
  }
  return out;
}
