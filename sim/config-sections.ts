/**
 * Personality sections of a configuration layer: a top-level key named after a personality
 * (`linux`, `freebsd`, `xnu`, `mach`) whose mapping of keys applies only when the run's
 * personality is that one, laid over the layer's other keys and under the layers above it. A
 * section of another personality is not applied (but its keys are still checked). A section
 * cannot name `personality` nor hold another section. Pure: the layers are the caller's.
 */
import { ConfigError, unknownKeyRest } from './config-error.ts';
import { deepMerge, isObject, type JsonObject } from './config-layers.ts';
import type { Personality } from './config-types.ts';
import { bareObject } from './keys.ts';

/** The section names: the personalities, each a top-level key of a layer. */
export const SECTION_NAMES: readonly Personality[] = ['freebsd', 'xnu', 'linux', 'mach'];

/** Whether top-level key `k` is a personality section. */
export function isSectionName(k: unknown): k is Personality {
  return typeof k === 'string' && (SECTION_NAMES as readonly string[]).includes(k);
}

/** The sections `layer` holds, in the order it gives them. */
export function sectionsOf(layer: JsonObject): Personality[] {
  return Object.keys(layer).filter(isSectionName);
}

/**
 * Refuses a section that is not a mapping of keys, one that names `personality`, and one that
 * holds another section: a ConfigError naming the section and the key (`linux.personality`).
 */
export function checkSectionShapes(layer: JsonObject): void {
  for (const s of sectionsOf(layer)) {
    const keys = layer[s];
    if (!isObject(keys)) throw new ConfigError(s, `a personality section must be a mapping of the keys that apply under the ${s} personality (got ${JSON.stringify(keys)})`);
    if (Object.hasOwn(keys, 'personality')) {
      throw new ConfigError(`${s}.personality`, `a personality section cannot name personality: its keys apply when the personality is ${s} (give personality at the top level)`);
    }
    const inner = Object.keys(keys).find(isSectionName);
    if (inner !== undefined) {
      throw new ConfigError(`${s}.${inner}`, `a personality section cannot hold another (${inner} inside ${s}): give ${inner}'s keys in a section of its own, at the top level`);
    }
  }
}

/** `layer`'s own keys (its sections left out). */
export function ownKeys(layer: JsonObject): JsonObject {
  const out = bareObject<JsonObject>();
  for (const k of Object.keys(layer)) if (!isSectionName(k)) out[k] = layer[k];
  return out;
}

/**
 * `layer` as it applies under `personality`: its own keys with that personality's section laid
 * over them (a deep merge), the other sections left out. Undefined `personality` (one that is
 * not a personality's name): its own keys alone.
 */
export function withSection(layer: JsonObject, personality: Personality | undefined): JsonObject {
  const own = ownKeys(layer);
  const section = personality === undefined ? undefined : layer[personality];
  return isObject(section) ? deepMerge(own, section) : own;
}

/**
 * Lays layer `over` on layer `base`, either holding sections, so that each key keeps its place:
 * base's own keys < base's section < over's own keys < over's section. Over's own keys (but
 * `personality`) go into each of base's sections too, so that a section applied later does not
 * undo them. Both are left unchanged.
 */
export function layOver(base: JsonObject, over: JsonObject): JsonObject {
  const overOwn = ownKeys(over);
  const out = deepMerge(ownKeys(base), overOwn);
  const promoted = bareObject<JsonObject>();
  for (const k of Object.keys(overOwn)) if (k !== 'personality') promoted[k] = overOwn[k];
  for (const s of SECTION_NAMES) {
    const b = isObject(base[s]) ? deepMerge(base[s], promoted) : base[s];
    const o = over[s];
    if (b === undefined && o === undefined) continue;
    out[s] = isObject(b) && isObject(o) ? deepMerge(b, o) : (o ?? b)!;
  }
  return out;
}

/** How many leading parts of `path` the nested object `o` writes. */
function depthIn(o: unknown, path: readonly string[]): number {
  let n = 0;
  for (const k of path) {
    if (!isObject(o) || !Object.hasOwn(o, k)) break;
    o = o[k];
    n++;
  }
  return n;
}

/** The value at the first `depth` parts of `path` in the nested object `o`. */
function valueAt(o: unknown, path: readonly string[], depth: number): unknown {
  for (let i = 0; i < depth; i++) o = (o as JsonObject)[path[i]!];
  return o;
}

/** Whether two JSON values are the same (the same text). */
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * `e`, a ConfigError about a key that the section `s` of `layer` writes (as deeply as the layer's
 * own keys, or deeper), named in the section: key `linux.fs.kindd`, a suggestion of an unknown
 * key's name in it too (`did you mean linux.fs.kind?`). Any other error as it is.
 */
export function namedInSection(e: unknown, s: Personality | undefined, layer: JsonObject): unknown {
  if (s === undefined || !(e instanceof ConfigError) || e.constructor !== ConfigError || e.where !== undefined || e.key === '') return e;
  const path = e.key.split('.');
  const inSection = depthIn(layer[s], path);
  const own = ownKeys(layer);
  if (inSection === 0 || inSection < depthIn(own, path)) return e;
  // a key of the layer's own that {@link layOver} copied into the section (a `--set` over a file's section) is not the section's
  if (inSection === depthIn(own, path) && sameValue(valueAt(layer[s], path, inSection), valueAt(own, path, inSection))) return e;
  const rest = unknownKeyRest(e.problem);
  const problem = rest === undefined || rest === '' ? e.problem
    : e.problem.replace(/did you mean (.+)\?$/, (_m, names: string) => `did you mean ${names.split(' or ').map((n) => `${s}.${n}`).join(' or ')}?`);
  return new ConfigError(`${s}.${e.key}`, problem);
}

/**
 * Resolves user layer `layer`, which may hold sections, with `resolve` (which takes a layer
 * without sections, and the personality it is resolved under). The personality in force is the
 * layer's `personality`, else `fallback`; its section is laid over the layer's own keys. Every
 * other section is checked too, as the configuration would resolve under its personality, so
 * that a key misspelt in a section not in force is still refused. An error about a key a
 * section gives names it in the section ({@link namedInSection}).
 */
export function resolveSections<T>(layer: JsonObject, fallback: unknown, resolve: (flat: JsonObject, personality: Personality | undefined) => T): T {
  const sections = sectionsOf(layer);
  const given = Object.hasOwn(layer, 'personality') ? layer.personality : fallback;
  const p = isSectionName(given) ? given : undefined;
  if (sections.length === 0) return resolve(layer, p);
  checkSectionShapes(layer);
  let config: T;
  try {
    config = resolve(withSection(layer, p), p);
  } catch (e) {
    throw namedInSection(e, p, layer);
  }
  for (const s of sections) {
    if (s === p) continue;
    try {
      resolve({ ...withSection(layer, s), personality: s }, s);
    } catch (e) {
      throw namedInSection(e, s, layer);
    }
  }
  return config;
}

/**
 * The dotted keys of `given` as they apply under `personality`: a key of its section
 * (`linux.fs.kind` under linux) as the key itself (`fs.kind`), a key of another section left
 * out, every other key as it is.
 */
export function keysInForce(given: Iterable<string>, personality: string): Set<string> {
  const out = new Set<string>();
  for (const k of given) {
    const dot = k.indexOf('.');
    const head = dot < 0 ? k : k.slice(0, dot);
    if (!isSectionName(head)) out.add(k);
    else if (head === personality && dot >= 0) out.add(k.slice(dot + 1));
  }
  return out;
}
