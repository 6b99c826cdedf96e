/**
 * Reading YAML (and JSON, a subset of it) the one way every syncsim input file is read:
 * configuration files, `--set` values and experiment files. Duplicate keys are errors, aliases
 * (`&a` / `*a`) resolve to what they name, merge keys (`<<: *a`) merge as YAML 1.1's do, and a
 * document that expands its aliases more than {@link MAX_ALIAS_COUNT} times (a "billion laughs"
 * bomb) is refused before it is expanded.
 */
import { createRequire } from 'node:module';
import type * as YamlPackage from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';

let yamlPackage: typeof YamlPackage | undefined;
/**
 * The `yaml` package, loaded on first use: a run with neither a config file nor `--set` needs none
 * (loading it costs about 25 ms of start-up on the development machine), so modules on the path
 * of such commands parse through this, not a static import.
 */
export const loadYaml = (): typeof YamlPackage => (yamlPackage ??= createRequire(import.meta.url)('yaml') as typeof YamlPackage);

/**
 * The most alias expansions a document may make (the `yaml` package's `maxAliasCount`: each use
 * of an alias counts the aliases nested in what it names).
 */
export const MAX_ALIAS_COUNT = 100;

/** A document that is not valid YAML, or expands too many aliases; `line` is 1-based. */
export class YamlError extends Error {
  constructor(readonly line: number, readonly problem: string) {
    super(`${line}: ${problem}`);
    this.name = 'YamlError';
  }
}

/** A parsed YAML document with the helpers to walk it. */
export interface YamlDoc {
  doc: Document;
  /** The line (1-based) of a source offset. */
  lineAt(offset: number | undefined): number;
  /** The node an alias names (anything else as it is). */
  deref(node: unknown): unknown;
  /** The plain JavaScript value of a node, aliases resolved (a prototype key stays an own property). */
  toJs(node: unknown): unknown;
  /**
   * The pairs of a mapping as its value has them: its own but its merge keys, and the pairs each
   * `<<` merges in that it does not give itself (the first merge giving a key wins), in the order
   * of the value's keys.
   */
  pairs(map: YAMLMap): Pair[];
}

/** A document giving a key twice in one mapping; `key` is its dotted path (`device.channels`). */
export class DuplicateKeyError extends YamlError {
  constructor(line: number, readonly key: string) {
    super(line, `key '${key}' is given twice (a mapping may give each key once)`);
    this.name = 'DuplicateKeyError';
  }
}

const ALIAS_BOMB = 'too many alias expansions';

/** Parses `text`; throws {@link YamlError} when it is not valid YAML or expands its aliases more than {@link MAX_ALIAS_COUNT} times. */
export function parseYamlDoc(text: string): YamlDoc {
  const { LineCounter, parseDocument, isAlias } = loadYaml();
  const lc = new LineCounter();
  // merge keys as YAML 1.1 has them; a key given twice in one mapping is still an error, one merged in and given too is not
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, merge: true });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lc.linePos(offset).line);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line ?? lineAt(e.pos?.[0]);
    // a key given twice is named (YAML's own words, 'Map keys must be unique', named neither it nor, for a .json file, the right language)
    const twice = e.code === 'DUPLICATE_KEY' ? duplicateKeyAt(doc, e.pos[0]) : undefined;
    if (twice !== undefined) throw new DuplicateKeyError(line, twice);
    throw new YamlError(line, `not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const convert = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object' || !('toJS' in node)) return node;
    try {
      return (node as Node).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (e instanceof ReferenceError) {
        const line = lineAt((node as Node).range?.[0]);
        if (/excessive alias count/i.test(e.message)) throw new YamlError(line, `${ALIAS_BOMB} (more than ${MAX_ALIAS_COUNT}: aliases of aliases multiply)`);
        throw new YamlError(line, `not valid YAML: ${e.message.split('\n')[0]}`);
      }
      throw e;
    }
  };
  // An alias inside the node it names makes a value that contains itself, which no walk of it ends
  let cycle: number | undefined;
  loadYaml().visit(doc, {
    Alias(_, alias) {
      const target = alias.resolve(doc);
      const [a, t] = [alias.range, target?.range];
      if (a && t && a[0] >= t[0] && a[1] <= t[1]) {
        cycle = a[0];
        return loadYaml().visit.BREAK;
      }
      return undefined;
    },
  });
  if (cycle !== undefined) throw new YamlError(lineAt(cycle), 'the alias here names a node that holds it, so its value would contain itself; write the value out instead');
  checkMerges(doc, lineAt);
  // Expanding the whole document once bounds every later walk of it.
  convert(doc.contents);
  return {
    doc,
    lineAt,
    deref: (node) => (isAlias(node) ? (node.resolve(doc) ?? null) : node),
    toJs: convert,
    pairs: (map) => mergedPairs(doc, map),
  };
}

/** Whether `pair` is a merge key's (`<<: *a`), as the `yaml` package takes it with `merge: true` (a quoted '<<' is a key). */
function isMergePair(pair: Pair): boolean {
  const { isScalar } = loadYaml();
  const k = pair.key;
  if (!isScalar(k)) return false;
  if (typeof k.value === 'symbol') return k.value.description === '<<';
  return k.value === '<<' && (k.type === undefined || k.type === 'PLAIN');
}

/** The mappings a merge key's value names: its mapping, or those of its list (aliases resolved); undefined when it names anything else. */
function mergeSources(doc: Document, value: unknown): YAMLMap[] | undefined {
  const { isAlias, isMap, isSeq } = loadYaml();
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const v = deref(value);
  const items = isSeq(v) ? v.items.map(deref) : [v];
  return items.every((m) => isMap(m)) ? (items as YAMLMap[]) : undefined;
}

/**
 * Throws a {@link YamlError} at the first merge key whose value is no mapping, alias of one or
 * list of them (`<<: 5`, `<<: *undefined`): the package's own error named no line.
 */
function checkMerges(doc: Document, lineAt: (offset: number | undefined) => number): void {
  const { isAlias, visit } = loadYaml();
  let bad: { pair: Pair; unresolved?: string } | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isMergePair(pair) || mergeSources(doc, pair.value) !== undefined) return undefined;
      const v = pair.value;
      bad = { pair, unresolved: isAlias(v) && v.resolve(doc) === undefined ? v.source : undefined };
      return visit.BREAK;
    },
  });
  if (bad === undefined) return;
  const line = lineAt((bad.pair.key as Node).range?.[0]);
  if (bad.unresolved !== undefined) throw new YamlError(line, `not valid YAML: Unresolved alias (the anchor must be set before the alias): ${bad.unresolved}`);
  throw new YamlError(line, "a merge key '<<' takes a mapping, an alias of one (*a) or a list of them ([*a, *b])");
}

/** {@link YamlDoc.pairs}: YAML 1.1's merge of `map`'s `<<` keys, as the `yaml` package's toJS makes it. */
function mergedPairs(doc: Document, map: YAMLMap, seen = new Set<YAMLMap>()): Pair[] {
  const { isScalar } = loadYaml();
  const name = (p: Pair): unknown => (isScalar(p.key) ? p.key.value : p.key);
  const out = new Map<unknown, Pair>();
  if (seen.has(map)) return [];
  seen.add(map);
  for (const p of map.items) {
    if (!isMergePair(p)) {
      out.set(name(p), p);
      continue;
    }
    for (const source of mergeSources(doc, p.value) ?? []) {
      for (const q of mergedPairs(doc, source, new Set(seen))) if (!out.has(name(q))) out.set(name(q), q);
    }
  }
  return [...out.values()];
}

/**
 * The dotted path (`device.channels`) of the mapping key that starts at source offset `at`, the
 * one the parser found given twice; undefined when no scalar key starts there.
 */
function duplicateKeyAt(doc: Document, at: number): string | undefined {
  const { isPair, isScalar, visit } = loadYaml();
  let found: string | undefined;
  const name = (p: unknown): string => (isPair(p) && isScalar(p.key) ? (typeof p.key.value === 'symbol' ? '<<' : String(p.key.value)) : '?');
  visit(doc, {
    Pair(_, pair, path) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== at) return undefined;
      found = [...path.filter(isPair), pair].map(name).join('.');
      return visit.BREAK;
    },
  });
  return found;
}

/** The plain value of YAML text (null for an empty document). Throws {@link YamlError}. */
export function parseYamlValue(text: string): unknown {
  const y = parseYamlDoc(text);
  return y.doc.contents === null ? null : y.toJs(y.doc.contents);
}

/**
 * The line (1-based) of the key at `path` (mapping keys, outermost first) in YAML `text`, or
 * undefined when the document does not hold that whole path (or is not valid YAML).
 */
export function keyLine(text: string, path: readonly string[]): number | undefined {
  const { isMap, isScalar } = loadYaml();
  let y: YamlDoc;
  try {
    y = parseYamlDoc(text);
  } catch {
    return undefined;
  }
  let node: unknown = y.doc.contents;
  let line: number | undefined;
  for (const k of path) {
    node = y.deref(node);
    if (!isMap(node)) return undefined;
    // a key a merge key (`<<: *a`) gives is at its line in the mapping it is merged from
    const pair = y.pairs(node).find((p) => isScalar(p.key) && String(p.key.value) === k);
    if (!pair) return undefined;
    line = y.lineAt((pair.key as Node).range?.[0]);
    node = pair.value;
  }
  return line;
}
