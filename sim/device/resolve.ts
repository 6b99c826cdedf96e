/**
 * Resolution of the device keys: the chosen profile's table laid over the
 * defaults, the user layer's distributions replacing whole, and the checks
 * that keep the queueing model's keys and the storage model's apart.
 */
import { SPELL_SHARE_MAX, spellShare, spellsOn } from './host-spells.ts';
import type { Config } from '../config-types.ts';
import { ConfigError } from '../config-error.ts';
import { deepMerge } from '../config-layers.ts';
import { bareObject } from '../keys.ts';
import { flushGapProblem } from './flush-gap.ts';
import { MEDIA_KEYS, PROFILE_TABLE, QUEUE_KEYS, type MediaKeys } from './profiles.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The distributions of the device (`device.service` under `queue`, the latencies otherwise). */
const DIST_KEYS = ['service', 'read_latency', 'write_latency'] as const;

/** The first leaf key (dotted, under `prefix`) of a user value: the key to name in a message. */
function firstLeaf(v: Json, prefix: string): string {
  if (!isObject(v)) return prefix;
  const k = Object.keys(v)[0];
  return k === undefined ? prefix : firstLeaf(v[k], `${prefix}.${k}`);
}

/** Whether two JSON values are equal, member by member (object members in any order). */
function sameJson(a: Json, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k]!, b[k]));
}

/** The device profile the user layer asks for (default `nvme`). */
function userProfile(u: JsonObject): string {
  const p = isObject(u.device) ? u.device.profile : undefined;
  return typeof p === 'string' ? p : 'nvme';
}

/** Whether a resolved configuration uses the queueing device model (`device.profile: queue`). */
export function profileIsQueue(c: Config): boolean {
  return c.device.profile === 'queue';
}

/**
 * Whether the user layer asks for `device.profile: queue`: other layers (fs, pagein, cpu)
 * use this to pick their `queue` defaults before validation.
 */
export function userAsksQueue(user: Record<string, unknown>): boolean {
  return userProfile(user as JsonObject) === 'queue';
}

/**
 * The defaults with the chosen profile's table laid over the device keys
 * (defaults ← profile; the user layer goes on top). Refuses keys of the other model:
 * `device.service` / `device.per_page_us` without `profile: queue`, profile keys with it.
 */
export function withDeviceProfile(defaults: JsonObject, u: JsonObject): JsonObject {
  const profile = userProfile(u);
  const ud = isObject(u.device) ? u.device : undefined;
  const dd = isObject(defaults.device) ? defaults.device : {};
  // a key of the other model given with its default value is what a resolved configuration lists
  // (summary.json's `config`, fed back with --config): inert, so accepted
  const given = (k: string) => ud !== undefined && Object.hasOwn(ud, k) && !sameJson(ud[k]!, dd[k]);
  if (profile === 'queue') {
    const bad = ud && MEDIA_KEYS.find(given);
    if (bad) {
      throw new ConfigError(`device.${bad}`, 'applies to the device profiles (nvme, sata-ssd, hdd, ram), not to device.profile=queue, whose service time is device.service + device.per_page_us × pages');
    }
    return defaults;
  }
  const bad = ud && QUEUE_KEYS.find(given);
  if (bad) {
    throw new ConfigError(firstLeaf(ud[bad], `device.${bad}`), `belongs to the queueing model: add device.profile=queue to use it (device.profile is '${profile}', whose keys are device.read_latency, device.write_latency, device.bandwidth_mbps, ...)`);
  }
  const table = (PROFILE_TABLE as Record<string, MediaKeys | undefined>)[profile];
  if (!table) return defaults; // an unknown profile name: the schema names the choices
  return deepMerge(defaults, { device: structuredClone(table) as unknown as JsonObject });
}

/**
 * Device defaults that depend on the user layer: a user distribution with its own `dist`
 * replaces the default whole instead of merging into it; a user `bandwidth_mbps` without
 * `read_bandwidth_mbps` sets both, and a user `flush_us` without `flush_empty_us` sets both.
 */
export function applyDeviceDefaults(merged: JsonObject, u: JsonObject): void {
  const ud = isObject(u.device) ? u.device : undefined;
  const md = merged.device as JsonObject;
  if (!ud || !isObject(md)) return;
  for (const k of DIST_KEYS) {
    const d = ud[k];
    if (isObject(d) && d.dist !== undefined) md[k] = deepMerge(bareObject<JsonObject>(), d, `device.${k}`);
  }
  if (ud.bandwidth_mbps !== undefined && ud.read_bandwidth_mbps === undefined) md.read_bandwidth_mbps = ud.bandwidth_mbps;
  if (ud.flush_us !== undefined && ud.flush_empty_us === undefined) md.flush_empty_us = ud.flush_us;
}

/** Cross-key checks of the device keys. */
export function checkDevice(c: Config): void {
  for (const k of DIST_KEYS) {
    const s = c.device[k];
    if (s.dist === 'uniform' && s.min_us > s.max_us) throw new ConfigError(`device.${k}.min_us`, 'must be <= max_us');
    if (s.dist === 'empirical' && !s.samples_us) {
      throw new ConfigError(`device.${k}.samples_us`, s.file ? `file '${s.file}' was not loaded` : 'is required (or file)');
    }
  }
  const d = c.device;
  const gap = flushGapProblem(d.flush_gap);
  if (gap) throw new ConfigError(`device.flush_gap.${gap.key}`, gap.message);
  const q = d.flush_quantiles;
  for (let i = 1; i < q.length; i++) {
    if (!(q[i]! >= q[i - 1]!)) throw new ConfigError('device.flush_quantiles', `must be ascending (point ${i}, ${q[i]}, is below the one before it, ${q[i - 1]})`);
  }
  if (d.host_cv > 0 && d.flush_cv_scope === 'host') {
    throw new ConfigError('device.host_cv', `must be 0 with device.flush_cv_scope host, where the host's spread is flush_cv (got ${d.host_cv})`);
  }
  if (spellsOn(d) && !(spellShare(d) <= SPELL_SHARE_MAX)) {
    throw new ConfigError('device.host_spell_rate_hz', `with host_spell_ms ${d.host_spell_ms} puts ${spellShare(d).toFixed(3)} of the time in slow spells (rate × length); at most ${SPELL_SHARE_MAX}`);
  }
  if (d.rpm > 0 && !(d.seek_track_ms <= d.seek_avg_ms && d.seek_avg_ms <= d.seek_full_ms)) {
    throw new ConfigError('device.seek_avg_ms', `the seek figures must grow with distance: seek_track_ms <= seek_avg_ms <= seek_full_ms (got ${d.seek_track_ms}, ${d.seek_avg_ms}, ${d.seek_full_ms})`);
  }
}
