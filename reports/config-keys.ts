/**
 * A run's resolved configuration (summary.json's `config`) as dotted keys,
 * and the keys on which several runs differ: what tells the configurations
 * of a directory of runs apart in index.html's settings table, and compare's
 * two sides apart in its legend.
 */

/** `config` as dotted keys and their values, as text (`fs.extent_leaf` → `true`; a list as `[3 values]`). */
export function flatConfig(config: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    out.set(prefix, Array.isArray(config) ? `[${config.length} values]` : String(config));
    return out;
  }
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) flatConfig(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/**
 * The dotted keys whose values differ between `configs` (summary.json `config`s), in the first one's order, each
 * with its value in every configuration ('' where one lacks it); the keys of `shown` are left out, and so are
 * the `device.*` keys when `device.profile` differs (the settings' device row names the profile; its figures follow it).
 */
export function differingKeys(configs: readonly unknown[], shown: ReadonlySet<string>): [string, string[]][] {
  const flat = configs.map((c) => flatConfig(c));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))];
  const differs = (k: string) => new Set(flat.map((m) => m.get(k) ?? '')).size > 1;
  const profileDiffers = differs('device.profile');
  return keys
    .filter((k) => !shown.has(k) && differs(k) && !(profileDiffers && k.startsWith('device.')))
    .map((k) => [k, flat.map((m) => m.get(k) ?? '')]);
}
