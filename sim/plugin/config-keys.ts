/**
 * The configuration keys of plugins: `writeback.policy` and
 * `device.discipline` may name a plugin file (`./my-policy.ts`, `.js`,
 * `.mjs`; relative to the configuration or experiment file) instead of a
 * built-in, with its parameters under `writeback.params` /
 * `device.discipline_params` (checked against the plugin's own schema when it
 * is loaded, scripts/plugins.ts). Pure: nothing here reads a file.
 */
import { ConfigError } from '../config-error.ts';

/** A value naming a plugin file: ends in .ts, .mts, .js or .mjs. */
export const PLUGIN_FILE = /\.(m?ts|m?js)$/i;

/** Whether `v` names a plugin file rather than a built-in. */
export function isPluginFile(v: unknown): v is string {
  return typeof v === 'string' && PLUGIN_FILE.test(v);
}

/** A plugin key: where its name and parameters live, and the built-in it stands in for while the schema checks the rest. */
export interface PluginKey {
  group: 'writeback' | 'device';
  /** The key naming the plugin. */
  key: 'policy' | 'discipline';
  /** The key of its parameters. */
  params: 'params' | 'discipline_params';
  /** A built-in value that passes the schema while the file name is set aside. */
  standIn: string;
}

/** The two plugin keys. */
export const PLUGIN_KEYS: readonly PluginKey[] = [
  { group: 'writeback', key: 'policy', params: 'params', standIn: 'none' },
  { group: 'device', key: 'discipline', params: 'discipline_params', standIn: 'fifo' },
];

/** JSON schema of a parameters key: a mapping (its keys are the plugin's to check). */
export const PARAMS_SCHEMA = { type: 'object' } as const;

type Obj = Record<string, unknown>;
const group = (c: Obj, g: string): Obj | undefined => {
  const v = c[g];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
};

/**
 * Replaces plugin file names in a merged configuration by their stand-ins (so
 * that the schema's enum passes) and returns a function putting them back
 * into the validated configuration.
 */
export function setAsidePluginFiles(merged: Obj): (c: Obj) => void {
  const aside: [PluginKey, string][] = [];
  for (const pk of PLUGIN_KEYS) {
    const g = group(merged, pk.group);
    const v = g?.[pk.key];
    if (g && isPluginFile(v)) {
      aside.push([pk, v]);
      g[pk.key] = pk.standIn;
    }
  }
  return (c) => {
    for (const [pk, v] of aside) group(c, pk.group)![pk.key] = v;
  };
}

/** Parameters are for plugins: refuses `writeback.params` / `device.discipline_params` beside a built-in. */
export function checkPluginParams(c: Obj): void {
  for (const pk of PLUGIN_KEYS) {
    const g = group(c, pk.group);
    if (g?.[pk.params] !== undefined && !isPluginFile(g[pk.key])) {
      throw new ConfigError(`${pk.group}.${pk.params}`, `parameters are for a plugin file; the built-in ${pk.group}.${pk.key} '${String(g[pk.key])}' takes none (its keys are ${pk.group}.*)`);
    }
  }
}
