/**
 * The configuration keys a user gave that the run in force does not read:
 * accepted (one configuration may serve several kernels) and warned of by
 * `run` and `sweep`. The scopes are data in sim/key-scopes.ts and
 * sim/pager/writeback-policies.ts.
 */
import { type Config, keysInForce } from '../sim/config.ts';
import { isSectionName } from '../sim/config-sections.ts';
import { POLICY_KEYS, WRITEBACK_TIMING_KEYS } from '../sim/pager/writeback-policies.ts';
import { FS_KIND_KEYS, PERSONALITY_KEY_WHY, PERSONALITY_KEYS, VALUE_SCOPES } from '../sim/key-scopes.ts';
import { readConfigFile } from './config-file.ts';
import { applySet } from './config-sets.ts';

/**
 * The dotted keys the config file `file` and the `--set`s of `sets` give (nested or dotted alike:
 * `--set 'writeback={interval_ms: 5}'` gives writeback.interval_ms, as the file's group would),
 * a personality section's with the section's name (`linux.fs.kind`: {@link keysInForce} makes
 * them the keys a run reads).
 */
export function givenKeys(file: string | undefined, sets: readonly string[]): Set<string> {
  const given = new Set<string>();
  const over: Record<string, unknown> = {};
  for (const kv of sets) {
    try {
      applySet(over as never, kv);
    } catch {
      given.add(kv.split('=')[0]!.trim()); // (refused where the configuration is made)
    }
  }
  for (const [k, v] of Object.entries(over)) addLeafKeys(given, k, v);
  if (file !== undefined) for (const [k, v] of Object.entries(readConfigFile(file))) addLeafKeys(given, k, v);
  return given;
}

/** Adds to `into` the dotted key of each value that is not a group below `key` holding `value` (`key` itself for one that is not a group). */
export function addLeafKeys(into: Set<string>, key: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) into.add(key);
  else for (const [k, v] of Object.entries(value)) addLeafKeys(into, `${key}.${k}`, v);
}

/**
 * Who alone reads a key, as a warning's reason says it: `only ufs reads it`, `only ext4-ordered and
 * ext4-nojournal read it` (until 2026-12-06 `only ext4-ordered, ext4-nojournal reads it`).
 */
export function onlyReaders(who: readonly string[]): string {
  const names = who.length > 1 ? `${who.slice(0, -1).join(', ')} and ${who[who.length - 1]}` : who.join('');
  return `only ${names} ${who.length > 1 ? 'read' : 'reads'} it`;
}

/**
 * Why each key of `given` ({@link givenKeys}) that `config` does not read has no effect:
 * a `writeback.*` timing key the built-in policy in force does not read (`writeback.delay_ms`
 * under `flusher`; none under a plugin policy, whose keys syncsim cannot know), a key only other
 * personalities read (`pager.ipc_us` under freebsd), or one only other filesystems read
 * (`fs.soft_updates` under ext4). Each is accepted and has no effect. A key of the personality
 * section in force counts as the key itself, one of another section not at all. Key → the reason
 * ("under writeback.policy flusher (it reads ...)").
 */
export function idleKeyReasons(given: ReadonlySet<string>, config: Config): Map<string, string> {
  // a personality section's keys count under its personality only (another section's: said nothing of)
  given = keysInForce(given, config.personality);
  const idle = new Map<string, string>();
  const used = POLICY_KEYS[config.writeback.policy];
  if (used !== undefined) {
    const reads = `it reads ${used.map((k) => `writeback.${k}`).join(', ') || 'no writeback.* timing key'}`;
    for (const k of WRITEBACK_TIMING_KEYS) if (given.has(`writeback.${k}`) && !used.includes(k)) idle.set(`writeback.${k}`, `under writeback.policy ${config.writeback.policy} (${reads})`);
  }
  for (const [key, who] of Object.entries(PERSONALITY_KEYS)) {
    if (given.has(key) && !who.includes(config.personality)) idle.set(key, `under the ${config.personality} personality (${PERSONALITY_KEY_WHY[key] ?? onlyReaders(who)})`);
  }
  for (const scope of VALUE_SCOPES) {
    if (!scope.idle(config)) continue;
    for (const key of scope.keys) if (given.has(key) && !idle.has(key)) idle.set(key, scope.why);
  }
  for (const [key, kinds] of Object.entries(FS_KIND_KEYS)) {
    if (given.has(key) && !kinds.includes(config.fs.kind)) idle.set(key, `with fs.kind ${config.fs.kind} (${onlyReaders(kinds)})`);
  }
  return idle;
}

/** The lines of {@link idleKeyReasons}, one a key, the writeback keys of the policy's reason together. */
export function ineffectiveKeys(given: ReadonlySet<string>, config: Config): string[] {
  const byReason = new Map<string, string[]>();
  for (const [key, why] of idleKeyReasons(given, config)) byReason.set(why, [...(byReason.get(why) ?? []), key]);
  return [...byReason].map(([why, keys]) => `${keys.join(', ')} ${keys.length > 1 ? 'have' : 'has'} no effect ${why}`);
}

/**
 * {@link idleKeyReasons} of `config`, keyed by the names in `given`: a key of the section in force
 * (`linux.pager.ipc_us` under linux) by its section's name for it, and a key of another
 * personality's section, which is not applied, idle for that reason.
 */
function idleByGivenName(given: ReadonlySet<string>, config: Config): Map<string, string> {
  const out = new Map<string, string>();
  // in idleKeyReasons' order; a key of the section in force under its section's name
  for (const [k, why] of idleKeyReasons(given, config)) {
    if (given.has(k)) out.set(k, why);
    if (given.has(`${config.personality}.${k}`)) out.set(`${config.personality}.${k}`, why);
  }
  for (const k of given) {
    const head = k.slice(0, Math.max(0, k.indexOf('.')));
    if (isSectionName(head) && head !== config.personality) out.set(k, `under the ${config.personality} personality (its section, ${head}:, applies under ${head} only)`);
  }
  return out;
}

/**
 * The keys of `given` that have no effect in any of `configs` (a sweep's grid points), one line
 * each with the reasons (the first three that differ); a key that has an effect in one of them
 * is left out.
 */
export function idleInEvery(given: ReadonlySet<string>, configs: readonly Config[]): string[] {
  let idle: Map<string, Set<string>> | undefined;
  for (const c of configs) {
    const here = idleByGivenName(given, c);
    if (!idle) idle = new Map([...here].map(([k, why]) => [k, new Set([why])]));
    else for (const [k, whys] of idle) here.has(k) ? whys.add(here.get(k)!) : idle.delete(k);
    if (idle.size === 0) return [];
  }
  return [...(idle ?? [])].map(([k, whys]) => `${k} has no effect in any run of the sweep: ${[...whys].slice(0, 3).join('; ')}${whys.size > 3 ? '; ...' : ''}`);
}
