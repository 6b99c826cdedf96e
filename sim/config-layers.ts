/**
 * The merging of configuration layers (defaults, device profile, config file,
 * `--set` overrides) into objects without a prototype, refusing prototype keys
 * by name. Pure; imports only the key rules and the error type.
 */
import { ConfigError } from './config-error.ts';
import { bareObject, findPrototypeKey, isPrototypeKey } from './keys.ts';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A JSON object. */
export type JsonObject = { [k: string]: Json };

/** Whether `v` is a JSON object (not null, not an array). */
export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The error for a prototype key at dotted `path` (given by `where`: a file, a `--set`). */
export function prototypeKeyError(path: string, where?: string): ConfigError {
  return new ConfigError(path, 'not allowed as a key name', where);
}

/** Throws a {@link ConfigError} when `value` holds a prototype key at any depth (paths under `prefix`). */
export function rejectPrototypeKeys(value: unknown, prefix = '', where?: string): void {
  const hit = findPrototypeKey(value, prefix);
  if (hit !== undefined) throw prototypeKeyError(hit, where);
}

/**
 * Deep-merges `over` onto `base` (objects merge, everything else replaces) into new objects
 * without a prototype. A prototype key in either is refused, never followed.
 */
export function deepMerge(base: JsonObject, over: JsonObject, prefix = ''): JsonObject {
  const out = bareObject<JsonObject>();
  for (const src of [base, over]) {
    for (const k of Object.keys(src)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (isPrototypeKey(k)) throw prototypeKeyError(path);
      const v = src[k];
      const b = Object.hasOwn(out, k) ? out[k] : undefined;
      out[k] = isObject(v) ? deepMerge(src === over && isObject(b) ? b : bareObject<JsonObject>(), v, path) : v;
    }
  }
  return out;
}

/**
 * Sets dotted `key` to `value` inside `target` (creating prototype-less objects on the way).
 * A prototype key in the path or in the value is refused by name.
 */
export function setDotted(target: JsonObject, key: string, value: Json): void {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) throw new ConfigError(key, 'empty key segment');
  const bad = parts.findIndex(isPrototypeKey);
  if (bad >= 0) throw prototypeKeyError(parts.slice(0, bad + 1).join('.'));
  rejectPrototypeKeys(value, key);
  let o = target;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(o, p) ? o[p] : undefined;
    if (next === undefined) o = o[p] = bareObject<JsonObject>();
    else if (isObject(next)) o = next;
    else throw new ConfigError(key, `'${p}' is not a group of keys`);
  }
  o[parts[parts.length - 1]] = value;
}
