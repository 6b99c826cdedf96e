/**
 * What differs between the experiment a sweep directory holds and the one given now, for the
 * message that refuses to mix them: a sweep run again over a directory of another experiment
 * said only the two hashes, or blamed an edited plugin or trace file when the user had changed
 * a `base` key or a generator parameter.
 */
import { loadYaml } from '../yaml-file.ts';
import { canonicalJson, type Json } from './identity.ts';
import type { Manifest } from './store.ts';

const isGroup = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaf keys of `value` under dotted `key`, each with its value as canonical JSON (nested and dotted writings alike). */
function leaves(into: Map<string, string>, key: string, value: unknown): void {
  if (isGroup(value) && Object.keys(value).length > 0) for (const [k, v] of Object.entries(value)) leaves(into, key === '' ? k : `${key}.${k}`, v);
  else into.set(key, canonicalJson((value ?? null) as Json));
}

/** The `base` of an experiment's text as leaf keys, or undefined when the text does not parse. */
function baseLeaves(text: string): Map<string, string> | undefined {
  try {
    const doc: unknown = loadYaml().parse(text, { merge: true, maxAliasCount: -1 });
    const out = new Map<string, string>();
    if (isGroup(doc) && isGroup(doc.base)) leaves(out, '', doc.base);
    return out;
  } catch {
    return undefined;
  }
}

/** The values a grid key takes over the points of `m`, in order, as canonical JSON. */
function axisValues(m: Manifest, i: number): string[] {
  return [...new Set(m.points.map((p) => canonicalJson(p.values[i])))];
}

const list = (values: readonly string[]) => `[${values.join(', ')}]`;
const thenNow = (then: string, now: string) => `${then} then, ${now} now`;

/**
 * What changed from `have` (with its experiment file's text `haveText`, DIR/experiment.yaml) to
 * `now` (`nowText`): the name, the grid keys, each grid key's values, the metrics, the trace
 * (preset or parameters; a trace file's contents are trace-guard.ts's) and each `base` key.
 * Empty when none of these did: then the contents of a file the run ids hash (a plugin) did.
 */
export function experimentChanges(have: Manifest, haveText: string | undefined, now: Manifest, nowText: string): string[] {
  const out: string[] = [];
  if (have.name !== now.name) out.push(`its name (${thenNow(have.name, now.name)})`);
  if (canonicalJson(have.keys) !== canonicalJson(now.keys)) out.push(`its grid keys (${thenNow(list(have.keys), list(now.keys))})`);
  else {
    have.keys.forEach((k, i) => {
      const a = axisValues(have, i);
      const b = axisValues(now, i);
      if (canonicalJson(a) !== canonicalJson(b)) out.push(`the values of grid key ${k} (${thenNow(list(a), list(b))})`);
    });
  }
  if (canonicalJson(have.metrics) !== canonicalJson(now.metrics)) out.push(`its metrics (${thenNow(list(have.metrics), list(now.metrics))})`);
  const traceOf = (m: Manifest) => (isGroup(m.trace) ? canonicalJson({ ...m.trace, sha256: null } as Json) : canonicalJson(m.trace));
  if (traceOf(have) !== traceOf(now)) {
    const shown = (m: Manifest) => canonicalJson((isGroup(m.trace) ? Object.fromEntries(Object.entries(m.trace).filter(([k]) => k !== 'sha256')) : m.trace) as Json);
    out.push(`its trace (${thenNow(shown(have), shown(now))})`);
  }
  const a = haveText === undefined ? undefined : baseLeaves(haveText);
  const b = baseLeaves(nowText);
  if (a && b) {
    for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (a.get(k) !== b.get(k)) out.push(`base key ${k} (${thenNow(a.get(k) ?? 'not given', b.get(k) ?? 'not given')})`);
    }
  }
  return out;
}
