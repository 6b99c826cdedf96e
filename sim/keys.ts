/**
 * Key names user input may not use: `__proto__`, `constructor` and `prototype` name parts of
 * JavaScript's object machinery, and a merge that assigned them would reach `Object.prototype`.
 * Every place that builds an object from user keys (configuration files, `--set`, experiment
 * files, generator parameters) refuses them by name, and builds its objects without a prototype.
 */

/** The refused key names. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether `key` is one of {@link PROTOTYPE_KEYS}. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/**
 * The dotted path (under `prefix`) of the first prototype key inside `value` (own keys of
 * objects, at any depth, arrays included), or undefined when there is none.
 */
export function findPrototypeKey(value: unknown, prefix = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const hit = findPrototypeKey(v, prefix);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPrototypeKey(k)) return path;
    const hit = findPrototypeKey((value as Record<string, unknown>)[k], path);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** A fresh object without a prototype, so no key assigned to it can reach `Object.prototype`. */
export function bareObject<T = Record<string, unknown>>(): T {
  return Object.create(null) as T;
}
