/**
 * Run configuration: its defaults, the JSON schema that validates it, and the
 * resolution of user layers (config file, then `--set` overrides) into a
 * Config. It sits above the model, whose personality registry and default
 * tables it reads; the types are in config-types.ts and the merging of
 * layers in config-layers.ts (both re-exported here, the CLI's one door).
 * Pure: reading files is the caller's job.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { ConfigError, UNKNOWN_KEY } from './config-error.ts';
import { didYouMean } from './closest-name.ts';
import { PERSONALITIES } from './personality/index.ts';
import { applyCpuDefaults, measuredCpuDefaults } from './cpu-costs.ts';
import { defaultReadaheadPages } from './pager/readahead.ts';
import { MAX_FOLIO_ORDER } from './vm/folios.ts';
import { DEVICE_PROFILES, MEDIA_KEYS, PROFILE_TABLE } from './device/profiles.ts';
import { applyDeviceDefaults, checkDevice, profileIsQueue, withDeviceProfile } from './device/resolve.ts';
import { FS_DEFAULT_KIND, type Config, type Personality } from './config-types.ts';
import { deepMerge, isObject, rejectPrototypeKeys, type Json, type JsonObject } from './config-layers.ts';
import { resolveSections, SECTION_NAMES } from './config-sections.ts';
import { checkPluginParams, isPluginFile, PARAMS_SCHEMA, PLUGIN_KEYS, setAsidePluginFiles } from './plugin/config-keys.ts';

export { profileIsQueue, userAsksQueue } from './device/resolve.ts';
export { FS_DEFAULT_KIND, type Config, type FsKind, type Personality } from './config-types.ts';
export type { ServiceDist } from './device/profiles.ts';
export { deepMerge, prototypeKeyError, rejectPrototypeKeys, setDotted } from './config-layers.ts';
export { keysInForce, layOver, SECTION_NAMES, withSection } from './config-sections.ts';

/** The personalities this build implements. */
export const IMPLEMENTED_PERSONALITIES = Object.keys(PERSONALITIES) as Personality[];

/** Writeback policies this build implements. */
export const IMPLEMENTED_WRITEBACK: readonly string[] = ['none', 'syncer', 'flusher'];

/** The defaults of every key. */
export function defaultConfig(): Config {
  return {
    personality: 'freebsd',
    page_size: 4096,
    replay: 'closed',
    seed: 1,
    device: {
      ...structuredClone(PROFILE_TABLE.nvme), profile: 'nvme',
      channels: 1, discipline: 'fifo', service: { dist: 'constant', mean_us: 100 }, per_page_us: 0, error_rate: 0,
    },
    pager: { cluster_pages: 32, ipc_us: 0 },
    cpu: { ...measuredCpuDefaults(), clean_io_us: 0, writeback_call_us: 0, cv: 0, floor: 0 },
    writeback: { policy: 'none', delay_ms: 30000, expire_ms: 30000, background_ratio: 10, dirty_ratio: 20, max_pause_ms: 200 } as Config['writeback'],
    memory: { pages: 0, max_user_wired_pages: 0, memlock_limit_bytes: 8 << 20 },
    stats: { sample_us: 1000, warmup_us: 0 },
    pagein: true,
    readahead: {} as Config['readahead'],
    fs: { commit_interval_ms: 5000, soft_updates: false, stable_pages: false, preallocated: true, extent_leaf: false, timestamp_tick_us: 4000 } as Config['fs'],
  };
}

/** One hour in µs: the longest service, per-page or CPU time a key may give. */
export const HOUR_US = 3.6e9;
/** One day in ms: the longest writeback interval, delay or expiry. */
export const DAY_MS = 8.64e7;
/** One day in µs: the longest timeline sampling period. */
export const DAY_US = 8.64e10;
/** The latest trace time (2^53 ns, about 104 days) in µs, rounded down: the bound of stats.warmup_us. */
export const MAX_TIME_US = 9e12;
/** Largest page count memory.pages and memory.max_user_wired_pages may give (2^40). */
export const MAX_PAGES = 2 ** 40;

/** A number in [min, max]; the lower bound exclusive when `exclusiveMin`. */
const range = (min: number, max: number, exclusiveMin = false) =>
  (exclusiveMin ? { type: 'number', exclusiveMinimum: min, maximum: max } : { type: 'number', minimum: min, maximum: max });
/** An integer in [min, max]. */
const intRange = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max });
const duration = range(0, HOUR_US);
/** The largest share of a spread's mean that never varies (device.flush_floor, host_floor, cpu.floor, a lognormal's floor). */
export const FLOOR_MAX = 0.99;
/** The share of a spread's mean that never varies (service.ts, shiftedLognormal): [0, FLOOR_MAX]. */
const FLOOR = range(0, FLOOR_MAX);
const positiveDuration = range(0, HOUR_US, true);
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object', additionalProperties: false, properties, required,
});
const serviceCase = (dist: string, properties: Record<string, unknown>, required: string[]) => ({
  if: { properties: { dist: { const: dist } }, required: ['dist'] },
  then: obj({ dist: { const: dist }, ...properties }, ['dist', ...required]),
});
/** Each service-time distribution's keys (besides `dist`) and which of them it requires. */
const SERVICE_DISTS: Record<string, { keys: Record<string, unknown>; required: string[] }> = {
  constant: { keys: { mean_us: duration }, required: ['mean_us'] },
  exponential: { keys: { mean_us: positiveDuration }, required: ['mean_us'] },
  uniform: { keys: { min_us: duration, max_us: duration }, required: ['min_us', 'max_us'] },
  lognormal: { keys: { mean_us: positiveDuration, cv: range(0, 100, true), floor: FLOOR }, required: ['mean_us', 'cv'] },
  empirical: { keys: { samples_us: { type: 'array', minItems: 1, maxItems: 10_000_000, items: duration }, file: { type: 'string', minLength: 1 } }, required: [] },
};
/** A service-time distribution (µs). */
const serviceDist = {
  type: 'object',
  required: ['dist'],
  properties: { dist: { enum: Object.keys(SERVICE_DISTS) } },
  allOf: Object.entries(SERVICE_DISTS).map(([dist, d]) => serviceCase(dist, d.keys, d.required)),
};
/** Largest data rate a device key may give (MB/s): 1 TB/s. */
export const MAX_MBPS = 1e6;
/** Largest seek time (ms): one minute. */
const MAX_SEEK_MS = 60_000;
/** The device keys and their ranges. */
const DEVICE_SCHEMA = obj({
  profile: { enum: [...DEVICE_PROFILES] },
  channels: intRange(1, 4096),
  discipline: { enum: ['fifo', 'sync_first'] },
  discipline_params: PARAMS_SCHEMA,
  service: serviceDist,
  per_page_us: duration,
  error_rate: range(0, 1),
  read_latency: serviceDist,
  write_latency: serviceDist,
  bandwidth_mbps: range(0, MAX_MBPS),
  read_bandwidth_mbps: range(0, MAX_MBPS),
  segment_us: duration,
  read_request_mbps: range(0, MAX_MBPS),
  max_segments: intRange(0, 65536),
  ring_descriptors: intRange(0, 65536),
  write_cache: { type: 'boolean' },
  cache_mb: range(0, 2 ** 20),
  media_mbps: range(0, MAX_MBPS),
  flush_us: duration,
  flush_empty_us: duration,
  flush_cv: range(0, 100),
  flush_floor: FLOOR,
  flush_quantiles: { type: 'array', maxItems: 10_000, items: range(0, 1e6) },
  flush_cv_scope: { enum: ['flush', 'host'] },
  host_cv: range(0, 100),
  host_floor: FLOOR,
  host_drift_share: range(0, 1),
  host_drift_us: positiveDuration,
  host_spell_rate_hz: range(0, 1000),
  host_spell_ms: range(0, 60_000),
  host_spell_factor: range(0.01, 1000),
  busy_latency_us: duration,
  busy_flush_us: duration,
  flush_gap: obj({ gap_us: { type: 'array', maxItems: 1000, items: range(0, HOUR_US) }, factor: { type: 'array', maxItems: 1000, items: range(0, 1000) } }, ['gap_us', 'factor']),
  destage: { enum: ['continuous', 'on_flush'] },
  media_write_us: duration,
  submit_us: duration,
  submit_command_us: duration,
  submit_overlap: { type: 'boolean' },
  submit_completion: { enum: ['each', 'drained'] },
  rpm: range(0, 1e6),
  seek_track_ms: range(0, MAX_SEEK_MS),
  seek_avg_ms: range(0, MAX_SEEK_MS),
  seek_full_ms: range(0, MAX_SEEK_MS),
  capacity_gb: range(0, 1e9, true),
  region_gb: range(0, 1e9),
}, ['profile', 'channels', 'discipline', 'service', 'per_page_us', 'error_rate', ...MEDIA_KEYS]);

/**
 * JSON schema of a resolved configuration. Every number has a range (docs/configuration.md,
 * "Configuration keys") wide enough for any real system and narrow enough that no value can make a run spin
 * in place or write without end.
 */
/** The smallest and largest `page_size` (bytes), a power of two between: the configuration's rule, and `--page-size`'s. */
export const PAGE_SIZE_RANGE = { min: 512, max: 2 ** 30 } as const;

export const CONFIG_SCHEMA = obj({
  personality: { enum: ['freebsd', 'xnu', 'linux', 'mach'] },
  page_size: intRange(PAGE_SIZE_RANGE.min, PAGE_SIZE_RANGE.max),
  replay: { enum: ['closed', 'open'] },
  seed: intRange(0, 4294967295),
  device: DEVICE_SCHEMA,
  pager: obj({ cluster_pages: intRange(1, 65536), ipc_us: duration }, ['cluster_pages', 'ipc_us']),
  cpu: obj({ syscall_us: duration, fault_page_us: duration, clean_page_us: duration, clean_page_busy_us: duration, clean_pmd_page_us: duration, clean_io_us: duration, writeback_call_us: duration, wire_page_us: duration, per_page_us: duration, cv: range(0, 100), floor: FLOOR },
    ['syscall_us', 'fault_page_us', 'clean_page_us', 'clean_page_busy_us', 'clean_pmd_page_us', 'clean_io_us', 'writeback_call_us', 'wire_page_us', 'cv', 'floor']),
  writeback: obj({
    policy: { enum: ['none', 'syncer', 'flusher'] },
    interval_ms: range(1, DAY_MS),
    delay_ms: range(0, DAY_MS),
    expire_ms: range(0, DAY_MS),
    background_ratio: range(0, 100),
    dirty_ratio: range(0, 100, true),
    max_pause_ms: range(0, HOUR_US / 1000),
    params: PARAMS_SCHEMA,
  }, ['policy', 'delay_ms', 'expire_ms', 'background_ratio', 'dirty_ratio', 'max_pause_ms']),
  memory: obj({
    pages: intRange(0, MAX_PAGES),
    max_user_wired_pages: intRange(0, MAX_PAGES),
    memlock_limit_bytes: intRange(0, Number.MAX_SAFE_INTEGER),
  }, ['pages', 'max_user_wired_pages', 'memlock_limit_bytes']),
  stats: obj({ sample_us: range(1, DAY_US), warmup_us: range(0, MAX_TIME_US) }, ['sample_us', 'warmup_us']),
  pagein: { type: 'boolean' },
  readahead: obj({ pages: intRange(0, 65536), request_pages: intRange(0, 65536), max_folio_order: intRange(0, MAX_FOLIO_ORDER) }),
  fs: obj({
    kind: { enum: ['ext4-ordered', 'ext4-nojournal', 'ufs', 'apfs', 'none'] },
    commit_interval_ms: range(1, DAY_MS),
    soft_updates: { type: 'boolean' },
    stable_pages: { type: 'boolean' },
    preallocated: { type: 'boolean' },
    extent_leaf: { type: 'boolean' },
    timestamp_tick_us: range(1, DAY_US),
  }, ['commit_interval_ms', 'soft_updates', 'stable_pages', 'preallocated', 'extent_leaf', 'timestamp_tick_us']),
}, ['personality', 'page_size', 'replay', 'seed', 'device', 'pager', 'cpu', 'writeback', 'memory', 'stats', 'pagein', 'readahead', 'fs']);

export { ConfigError } from './config-error.ts';

/** A plain-object copy of validated JSON data (no prototype keys can be in it). */
function toPlain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(toPlain) as T;
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) out[k] = toPlain(v[k]);
  return out as T;
}

/** The options of the schema's validator (scripts/build.mjs precompiles it with the same ones). */
export const CONFIG_VALIDATOR_OPTIONS: Readonly<Options> = { allErrors: true, strict: false, verbose: true };

const require = createRequire(import.meta.url);

/**
 * The schema's validator, made on first use: in the compiled JavaScript (dist/), the code
 * scripts/build.mjs generated from CONFIG_SCHEMA beside this module (config-validate.cjs, a
 * fraction of the cost); from the TypeScript sources, compiled by Ajv (ajv itself is loaded only
 * then; loading and compiling cost about 0.2 s of start-up).
 */
let compiled: ValidateFunction | undefined;
function validatorOf(): ValidateFunction {
  compiled ??= import.meta.url.endsWith('.js')
    ? (require('./config-validate.cjs') as ValidateFunction)
    : new (require('ajv') as { Ajv: typeof Ajv }).Ajv(CONFIG_VALIDATOR_OPTIONS).compile(CONFIG_SCHEMA);
  return compiled;
}

const LIMIT_KEYWORDS = new Set(['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

/** `value` as quoted in configuration messages (`'text'`, a number as is, anything else as JSON). */
export function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

/** The range a numeric schema allows, as written in messages: `>= 1 and <= 4096`. */
function rangeText(s: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof s.minimum === 'number') parts.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') parts.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') parts.push(`<= ${s.maximum}`);
  if (typeof s.exclusiveMaximum === 'number') parts.push(`< ${s.exclusiveMaximum}`);
  return parts.join(' and ');
}

function describe(e: ErrorObject): ConfigError {
  const base = e.instancePath.slice(1).replace(/\//g, '.');
  const join = (k: string) => (base ? `${base}.${k}` : k);
  const s = (e.parentSchema ?? {}) as Record<string, unknown>;
  if (LIMIT_KEYWORDS.has(e.keyword) && (s.type === 'number' || s.type === 'integer')) {
    const kind = s.type === 'integer' ? 'an integer' : 'a number';
    const r = rangeText(s);
    return new ConfigError(base, `must be ${kind}${r ? ` ${r}` : ''} (got ${shown(e.data)})`);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      // a key of another distribution than the one in force (a profile's lognormal, given samples_us) says whose it is
      const key = String(e.params.additionalProperty);
      const dist = (e.data as { dist?: unknown } | undefined)?.dist;
      const owners = typeof dist === 'string' && dist in SERVICE_DISTS ? Object.keys(SERVICE_DISTS).filter((d) => key in SERVICE_DISTS[d]!.keys) : [];
      if (owners.length > 0) return new ConfigError(join(key), `unknown key for dist '${dist}' (a key of dist ${owners.join(' or ')}: set ${base ? `${base}.` : ''}dist too)`);
      // a misspelt key says which of its group's keys it looks like; a plugin's parameters under the other
      // plugin group's name for them (`device.params`), the group's own
      // at the top level, the personality sections too (`Linux:`: did you mean linux?)
      const known = [...Object.keys((s.properties ?? {}) as Record<string, unknown>), ...(base === '' ? SECTION_NAMES : [])];
      const own = PLUGIN_KEYS.find((pk) => pk.group === base && pk.params !== key && PLUGIN_KEYS.some((o) => o.params === key));
      return new ConfigError(join(key), `${UNKNOWN_KEY}${own ? `; did you mean ${join(own.params)}?` : didYouMean(key, known, join)}`);
    }
    case 'required':
      return new ConfigError(join(String(e.params.missingProperty)), 'is required');
    case 'enum': {
      // a key that may also name a plugin file says so
      const plugin = PLUGIN_KEYS.some((pk) => `${pk.group}.${pk.key}` === base) ? ', or a plugin file (.ts, .mts, .js, .mjs)'
        : base === 'device.profile' ? ', or a profile file (a path with a slash, or ending .yaml, .yml or .json: syncsim calibrate writes one)' : '';
      // a misspelt or miscased value ('Linux', 'flusher ' without its space) says which one it looks like
      const allowed = e.params.allowedValues as unknown[];
      const like = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      return new ConfigError(base, `must be one of ${allowed.join(', ')}${plugin} (got ${shown(e.data)})${like}`);
    }
    case 'const':
      return new ConfigError(base, `must be ${JSON.stringify(e.params.allowedValue)} (got ${shown(e.data)})`);
    case 'type': {
      // Ajv's "must be object": with its article, and what was given (a number's type is told above, with its range)
      const t = String(e.params.type);
      const kind = t === 'object' ? 'a mapping of keys (an object)' : t === 'array' ? 'a list (an array)' : `a ${t}`;
      return new ConfigError(base, `must be ${kind} (got ${shown(e.data)})`);
    }
    default:
      return new ConfigError(base, e.message ?? 'is invalid');
  }
}

/**
 * `readahead.request_pages` default: 256 pages (1 MiB) — Linux builds a read
 * bio of at most BIO_MAX_VECS (256) folios, order-0 for a fault's
 * read-around (include/linux/bio.h; block traces of this kernel show the
 * 8 MiB read-around of a cold mmap going out as ~1 MiB requests);
 * FreeBSD's MAXPHYS is 1 MiB since 13.0 (sys/sys/param.h); for XNU and
 * Mach, 1 MiB is our assumption.
 */
export const READ_REQUEST_PAGES = 256;

/**
 * Page-in defaults: `readahead.pages` of the personality (Linux
 * VM_READAHEAD_PAGES 32, FreeBSD VM_FAULT_READ_DEFAULT 16, XNU 32, Mach 1;
 * see sim/pager/readahead.ts) unless the user gave it. `pagein` itself
 * defaults to true, and to false under `device.profile: queue` (free page-ins)
 * unless the user set it.
 */
export function applyPageinDefaults(c: Config, user: Record<string, unknown>): void {
  if (c.readahead.pages === undefined) c.readahead.pages = defaultReadaheadPages(c.personality);
  if (c.readahead.request_pages === undefined) c.readahead.request_pages = READ_REQUEST_PAGES;
  // Linux MAX_PAGECACHE_ORDER with 4 KiB pages, the largest folio read-ahead allocates on ext4 and xfs (sim/vm/folios.ts)
  if (c.readahead.max_folio_order === undefined) c.readahead.max_folio_order = MAX_FOLIO_ORDER;
  if (profileIsQueue(c) && !Object.hasOwn(user, 'pagein')) c.pagein = false;
}

/**
 * `fs.kind` when the user gave none: `none` under `device.profile: queue`
 * (the legacy queue model has no filesystem), else the personality's
 * filesystem ({@link FS_DEFAULT_KIND}).
 */
export function applyFsDefaults(c: Config): void {
  if (c.fs.kind !== undefined) return;
  const profile = (c.device as { profile?: string }).profile;
  c.fs.kind = profile === 'queue' ? 'none' : FS_DEFAULT_KIND[c.personality];
}

/** Whether the nested object `o` holds the dotted key `key`. */
function hasPath(o: unknown, key: string): boolean {
  for (const k of key.split('.')) {
    if (o === null || typeof o !== 'object' || !Object.hasOwn(o, k)) return false;
    o = (o as Record<string, unknown>)[k];
  }
  return true;
}

/**
 * Resolves user layers (already merged, possibly partial) onto the defaults
 * and validates the result. A user `device.service` with its own `dist`
 * replaces the default distribution whole instead of merging into it. The
 * layer may hold personality sections (config-sections.ts): the one of the
 * personality in force is laid over its other keys, the others are checked.
 */
export function resolveConfig(user: Record<string, unknown>): Config {
  if (!isObject(user as Json)) throw new ConfigError('', 'must be a mapping of keys');
  rejectPrototypeKeys(user);
  return resolveSections(user as JsonObject, defaultConfig().personality, (flat) => resolveFlat(flat));
}

/** {@link resolveConfig} of a layer without personality sections. */
function resolveFlat(u: JsonObject): Config {
  const merged = deepMerge(withDeviceProfile(defaultConfig() as unknown as JsonObject, u), u);
  applyDeviceDefaults(merged, u);
  const restorePlugins = setAsidePluginFiles(merged);
  const validate = validatorOf();
  if (!validate(merged)) {
    const errs = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
    // Prefer an error about a key the user gave (a flush_us given, not the flush_empty_us copied
    // from it; a misspelt key before the key it stands for, reported missing), then the most
    // specific one (the longest key)
    const rank = (e: ConfigError) => (hasPath(u, e.key) ? 2 : 0) + (e.problem.startsWith('unknown key') ? 1 : 0);
    errs.sort((a, b) => rank(b) - rank(a) || b.key.length - a.key.length);
    throw errs[0];
  }
  const c = toPlain(merged) as unknown as Config;
  restorePlugins(c as unknown as Record<string, unknown>);
  checkPluginParams(c as unknown as Record<string, unknown>);
  if (!IMPLEMENTED_PERSONALITIES.includes(c.personality)) {
    throw new ConfigError('personality', `'${c.personality}' is not implemented yet (available: ${IMPLEMENTED_PERSONALITIES.join(', ')})`);
  }
  if (!IMPLEMENTED_WRITEBACK.includes(c.writeback.policy) && !isPluginFile(c.writeback.policy)) {
    throw new ConfigError('writeback.policy', `'${c.writeback.policy}' is not implemented yet (available: ${IMPLEMENTED_WRITEBACK.join(', ')})`);
  }
  // FreeBSD vm_pageout_init: vm_pageout_page_count is 8 below 2000 pages of memory (0 = unlimited: not small)
  const uCluster = isObject(u.pager) ? u.pager.cluster_pages : undefined;
  if (uCluster === undefined && c.personality === 'freebsd' && c.memory.pages > 0 && c.memory.pages < 2000) c.pager.cluster_pages = 8;
  applyCpuDefaults(c, u, profileIsQueue(c));
  applyFsDefaults(c);
  if (c.writeback.interval_ms === undefined) c.writeback.interval_ms = c.writeback.policy === 'flusher' ? 5000 : 1000;
  if (c.writeback.background_ratio > c.writeback.dirty_ratio) {
    throw new ConfigError('writeback.background_ratio', `must be <= writeback.dirty_ratio (${c.writeback.dirty_ratio})`);
  }
  applyPageinDefaults(c, u);
  if ((c.page_size & (c.page_size - 1)) !== 0) throw new ConfigError('page_size', `must be a power of two (got ${c.page_size})`);
  checkDevice(c);
  return c;
}
