/**
 * Identities of sweep objects: canonical JSON (keys sorted at every level, so the order keys
 * were written in never matters) and the short hashes built from it — run ids, trace cache
 * names, the experiment hash that tells whether a results directory holds the same experiment.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `value` as JSON with the keys of every object sorted; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new TypeError(`not representable in JSON: ${String(value)}`);
    return s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The SHA-256 of the canonical JSON of `value`, as `hexChars` lower-case hex digits. */
export function hashOf(value: unknown, hexChars = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, hexChars);
}

/** The SHA-256 of a file's bytes (hex), read as a stream. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Configuration keys added after sweep directories were first written, each
 * with the value under which runs give the results they gave before it
 * existed (`readahead.max_folio_order`: its default, the folio orders
 * read-ahead already used; what the model does with them changed with it, as
 * a model change does without a key): a run's identity leaves such a key out
 * at that value, so that a directory written before the key resumes, its
 * runs' ids unchanged (docs/configuration.md, migration notes "spreads with a floor", "large
 * folios", "the host's slow spells", "the extent tree block").
 */
export const IDENTITY_NEUTRAL_KEYS: readonly { path: readonly [string, string]; value: Json }[] = [
  { path: ['device', 'flush_floor'], value: 0 },
  { path: ['device', 'host_floor'], value: 0 },
  { path: ['device', 'host_drift_share'], value: 0 },
  { path: ['device', 'host_drift_us'], value: 100 },
  { path: ['cpu', 'floor'], value: 0 },
  { path: ['device', 'flush_quantiles'], value: [] },
  { path: ['device', 'busy_latency_us'], value: 0 },
  { path: ['device', 'busy_flush_us'], value: 0 },
  { path: ['device', 'segment_us'], value: 0 },
  { path: ['device', 'read_request_mbps'], value: 0 },
  { path: ['device', 'max_segments'], value: 0 },
  { path: ['device', 'ring_descriptors'], value: 0 },
  { path: ['readahead', 'max_folio_order'], value: 9 },
  { path: ['device', 'host_spell_rate_hz'], value: 0 },
  { path: ['device', 'host_spell_ms'], value: 0 },
  { path: ['device', 'host_spell_factor'], value: 1 },
  { path: ['fs', 'extent_leaf'], value: false },
];

/** `config` as a run's identity hashes it: without the {@link IDENTITY_NEUTRAL_KEYS} at their neutral value (a copy; `config` is unchanged). */
export function identityConfig(config: object): Json {
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const { path: [section, key], value } of IDENTITY_NEUTRAL_KEYS) {
    const s = out[section];
    if (typeof s !== 'object' || s === null || !(key in s) || canonicalJson((s as Record<string, Json>)[key]!) !== canonicalJson(value)) continue;
    const { [key]: _neutral, ...rest } = s as Record<string, unknown>;
    out[section] = rest;
  }
  return out as Json;
}
