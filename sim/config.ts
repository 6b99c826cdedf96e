/**
 * Run configuration: its types, defaults, the JSON schema that validates it,
 * and the merging of user layers (config file, then `--set` overrides).
 * Pure: reading files is the caller's job.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { PERSONALITIES } from './personality/index.ts';

/** A service-time distribution for the device, in microseconds. */
export type ServiceDist =
  | { dist: 'constant'; mean_us: number }
  | { dist: 'exponential'; mean_us: number }
  | { dist: 'uniform'; min_us: number; max_us: number }
  | { dist: 'lognormal'; mean_us: number; cv: number }
  | { dist: 'empirical'; samples_us?: number[]; file?: string };

/** Kernel personalities; only those in {@link IMPLEMENTED_PERSONALITIES} run today. */
export type Personality = 'freebsd' | 'xnu' | 'linux' | 'mach';

/** The personalities this build implements. */
export const IMPLEMENTED_PERSONALITIES = Object.keys(PERSONALITIES) as Personality[];

/** Writeback policies this build implements. */
export const IMPLEMENTED_WRITEBACK: readonly string[] = ['none', 'syncer', 'flusher'];

/** A fully resolved run configuration (every key present). */
export interface Config {
  personality: Personality;
  page_size: number;
  replay: 'closed' | 'open';
  seed: number;
  device: {
    channels: number;
    discipline: 'fifo' | 'sync_first';
    service: ServiceDist;
    per_page_us: number;
    /** Probability that one writeback I/O fails (EIO); 0 by default. */
    error_rate: number;
  };
  pager: { cluster_pages: number; ipc_us: number };
  cpu: { syscall_us: number; per_page_us: number };
  writeback: {
    policy: 'none' | 'syncer' | 'flusher';
    /** Wake-up period; default 1000 for syncer, 5000 for flusher. */
    interval_ms: number;
    /** syncer: write objects dirty for longer than this. */
    delay_ms: number;
    /** flusher: write objects dirtied longer ago than this. */
    expire_ms: number;
    /** flusher: background writeback above this % of memory.pages dirty. */
    background_ratio: number;
    /** flusher: writers are throttled approaching this % of memory.pages dirty. */
    dirty_ratio: number;
    /** flusher: longest single throttle pause. */
    max_pause_ms: number;
  };
  memory: {
    pages: number;
    /** FreeBSD vm.max_user_wired (0 = no limit). */
    max_user_wired_pages: number;
    /** Linux RLIMIT_MEMLOCK in bytes. */
    memlock_limit_bytes: number;
  };
  stats: { sample_us: number; warmup_us: number };
}

/** The defaults of every key. */
export function defaultConfig(): Config {
  return {
    personality: 'freebsd',
    page_size: 4096,
    replay: 'closed',
    seed: 1,
    device: { channels: 1, discipline: 'fifo', service: { dist: 'constant', mean_us: 100 }, per_page_us: 0, error_rate: 0 },
    pager: { cluster_pages: 32, ipc_us: 0 },
    cpu: { syscall_us: 0, per_page_us: 0 },
    writeback: { policy: 'none', delay_ms: 30000, expire_ms: 30000, background_ratio: 10, dirty_ratio: 20, max_pause_ms: 200 } as Config['writeback'],
    memory: { pages: 0, max_user_wired_pages: 0, memlock_limit_bytes: 8 << 20 },
    stats: { sample_us: 1000, warmup_us: 0 },
  };
}

const nonNeg = { type: 'number', minimum: 0 };
const positive = { type: 'number', exclusiveMinimum: 0 };
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object', additionalProperties: false, properties, required,
});
const serviceCase = (dist: string, properties: Record<string, unknown>, required: string[]) => ({
  if: { properties: { dist: { const: dist } }, required: ['dist'] },
  then: obj({ dist: { const: dist }, ...properties }, ['dist', ...required]),
});

/** JSON schema of a resolved configuration. */
export const CONFIG_SCHEMA = obj({
  personality: { enum: ['freebsd', 'xnu', 'linux', 'mach'] },
  page_size: { type: 'integer', minimum: 512, maximum: 1048576 },
  replay: { enum: ['closed', 'open'] },
  seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
  device: obj({
    channels: { type: 'integer', minimum: 1, maximum: 4096 },
    discipline: { enum: ['fifo', 'sync_first'] },
    service: {
      type: 'object',
      required: ['dist'],
      properties: { dist: { enum: ['constant', 'exponential', 'uniform', 'lognormal', 'empirical'] } },
      allOf: [
        serviceCase('constant', { mean_us: nonNeg }, ['mean_us']),
        serviceCase('exponential', { mean_us: positive }, ['mean_us']),
        serviceCase('uniform', { min_us: nonNeg, max_us: nonNeg }, ['min_us', 'max_us']),
        serviceCase('lognormal', { mean_us: positive, cv: positive }, ['mean_us', 'cv']),
        serviceCase('empirical', { samples_us: { type: 'array', minItems: 1, items: nonNeg }, file: { type: 'string', minLength: 1 } }, []),
      ],
    },
    per_page_us: nonNeg,
    error_rate: { type: 'number', minimum: 0, maximum: 1 },
  }, ['channels', 'discipline', 'service', 'per_page_us', 'error_rate']),
  pager: obj({ cluster_pages: { type: 'integer', minimum: 1, maximum: 65536 }, ipc_us: nonNeg }, ['cluster_pages', 'ipc_us']),
  cpu: obj({ syscall_us: nonNeg, per_page_us: nonNeg }, ['syscall_us', 'per_page_us']),
  writeback: obj({
    policy: { enum: ['none', 'syncer', 'flusher'] },
    interval_ms: positive,
    delay_ms: nonNeg,
    expire_ms: nonNeg,
    background_ratio: { type: 'number', minimum: 0, maximum: 100 },
    dirty_ratio: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    max_pause_ms: nonNeg,
  }, ['policy', 'delay_ms', 'expire_ms', 'background_ratio', 'dirty_ratio', 'max_pause_ms']),
  memory: obj({
    pages: { type: 'integer', minimum: 0 },
    max_user_wired_pages: { type: 'integer', minimum: 0 },
    memlock_limit_bytes: { type: 'integer', minimum: 0 },
  }, ['pages', 'max_user_wired_pages', 'memlock_limit_bytes']),
  stats: obj({ sample_us: positive, warmup_us: nonNeg }, ['sample_us', 'warmup_us']),
}, ['personality', 'page_size', 'replay', 'seed', 'device', 'pager', 'cpu', 'writeback', 'memory', 'stats']);

/** A configuration error that names the offending key. */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`config: ${key ? `key '${key}': ` : ''}${message}`);
    this.name = 'ConfigError';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `over` onto `base` (objects merge, everything else replaces). */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** Sets dotted `key` to `value` inside `target` (creating objects on the way). */
export function setDotted(target: JsonObject, key: string, value: Json): void {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) throw new ConfigError(key, 'empty key segment');
  let o = target;
  for (const p of parts.slice(0, -1)) {
    const next = o[p];
    if (next === undefined) o = o[p] = {};
    else if (isObject(next)) o = next;
    else throw new ConfigError(key, `'${p}' is not a group of keys`);
  }
  o[parts[parts.length - 1]] = value;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(CONFIG_SCHEMA);

function describe(e: ErrorObject): ConfigError {
  const base = e.instancePath.slice(1).replace(/\//g, '.');
  const join = (k: string) => (base ? `${base}.${k}` : k);
  switch (e.keyword) {
    case 'additionalProperties':
      return new ConfigError(join(String(e.params.additionalProperty)), 'unknown key');
    case 'required':
      return new ConfigError(join(String(e.params.missingProperty)), 'is required');
    case 'enum':
      return new ConfigError(base, `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`);
    case 'const':
      return new ConfigError(base, `must be ${JSON.stringify(e.params.allowedValue)}`);
    default:
      return new ConfigError(base, e.message ?? 'is invalid');
  }
}

/**
 * Resolves user layers (already merged, possibly partial) onto the defaults
 * and validates the result. A user `device.service` with its own `dist`
 * replaces the default distribution whole instead of merging into it.
 */
export function resolveConfig(user: Record<string, unknown>): Config {
  if (!isObject(user as Json)) throw new ConfigError('', 'must be a mapping of keys');
  const u = user as JsonObject;
  const merged = deepMerge(defaultConfig() as unknown as JsonObject, u);
  const uService = isObject(u.device) && isObject(u.device.service) ? u.device.service : undefined;
  if (uService && uService.dist !== undefined) {
    (merged.device as JsonObject).service = uService;
  }
  if (!validate(merged)) {
    const errs = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
    // Prefer the most specific error (the longest path).
    errs.sort((a, b) => b.instancePath.length - a.instancePath.length);
    throw describe(errs[0]);
  }
  const c = merged as unknown as Config;
  if (!IMPLEMENTED_PERSONALITIES.includes(c.personality)) {
    throw new ConfigError('personality', `'${c.personality}' is not implemented yet (available: ${IMPLEMENTED_PERSONALITIES.join(', ')})`);
  }
  if (!IMPLEMENTED_WRITEBACK.includes(c.writeback.policy)) {
    throw new ConfigError('writeback.policy', `'${c.writeback.policy}' is not implemented yet (available: ${IMPLEMENTED_WRITEBACK.join(', ')})`);
  }
  // FreeBSD vm_pageout_init: vm_pageout_page_count is 8 below 2000 pages of memory (0 = unlimited: not small)
  const uCluster = isObject(u.pager) ? u.pager.cluster_pages : undefined;
  if (uCluster === undefined && c.personality === 'freebsd' && c.memory.pages > 0 && c.memory.pages < 2000) c.pager.cluster_pages = 8;
  if (c.writeback.interval_ms === undefined) c.writeback.interval_ms = c.writeback.policy === 'flusher' ? 5000 : 1000;
  if (c.writeback.background_ratio > c.writeback.dirty_ratio) {
    throw new ConfigError('writeback.background_ratio', `must be <= writeback.dirty_ratio (${c.writeback.dirty_ratio})`);
  }
  if ((c.page_size & (c.page_size - 1)) !== 0) throw new ConfigError('page_size', `must be a power of two (got ${c.page_size})`);
  const s = c.device.service;
  if (s.dist === 'uniform' && s.min_us > s.max_us) throw new ConfigError('device.service.min_us', 'must be <= max_us');
  if (s.dist === 'empirical' && !s.samples_us) {
    throw new ConfigError('device.service.samples_us', s.file ? `file '${s.file}' was not loaded` : 'is required (or file)');
  }
  return c;
}
