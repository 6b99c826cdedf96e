/**
 * The import rules of the README's Layout section, checked on the source:
 * every relative import of every .ts file under the layer folders, resolved
 * to a repository path, must be one its folder may make.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** Every .ts file under `dir`, as paths relative to the repository. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The repository paths `file` imports (relative specifiers only; `import`, `export ... from`, `import type`). */
function importsOf(file: string): string[] {
  const src = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    out.push(relative(ROOT, resolve(ROOT, dirname(file), m[1]!)));
  }
  return out;
}

/** The imports of the files under `dir` that `allowed` refuses, as `FILE -> TARGET`. */
function violations(dir: string, allowed: (target: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const f of tsFiles(dir)) for (const t of importsOf(f)) if (!allowed(t, f)) out.push(`${f} -> ${t}`);
  return out;
}

const inside = (t: string, dir: string) => t.startsWith(`${dir}/`);

/** A cycle of `graph` (file -> the files it imports) as `[a, b, ..., a]`, or undefined when it has none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (f: string): string[] | undefined => {
    if (onPath.has(f)) return [...path.slice(path.indexOf(f)), f];
    if (done.has(f)) return undefined;
    path.push(f);
    onPath.add(f);
    for (const t of graph.get(f) ?? []) {
      const c = visit(t);
      if (c) return c;
    }
    path.pop();
    onPath.delete(f);
    done.add(f);
    return undefined;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return undefined;
}

describe('layers (README, Layout)', () => {
  it('finds the imports it checks', () => {
    // sim/vm/ops.ts imports the trace types and its own folder's map.ts
    expect(importsOf('sim/vm/ops.ts')).toEqual(expect.arrayContaining(['traces/types.ts', 'sim/vm/map.ts']));
  });

  it('traces/ imports nothing of the other layers', () => {
    expect(violations('traces', (t) => inside(t, 'traces'))).toEqual([]);
  });

  it('sim/ imports only the trace types from outside sim/', () => {
    expect(violations('sim', (t) => inside(t, 'sim') || t === 'traces/types.ts')).toEqual([]);
  });

  it('the VM does not reach up into the pager, the device or the personalities', () => {
    expect(violations('sim/vm', (t) => !['sim/pager/', 'sim/device/', 'sim/personality/'].some((d) => t.startsWith(d)))).toEqual([]);
  });

  it('workloads/ uses traces/ and, of sim/, only the seeded random streams, the config key names and the closest-name suggestion', () => {
    const sim = new Set(['sim/engine/random.ts', 'sim/keys.ts', 'sim/closest-name.ts']);
    const plugin = (f: string) => f.startsWith('workloads/plugins/');
    expect(violations('workloads', (t, f) => plugin(f) || inside(t, 'workloads') || inside(t, 'traces') || sim.has(t))).toEqual([]);
  });

  it('the example plugins (workloads/plugins/) use only the public plugin interfaces of sim/', () => {
    const api = new Set(['sim/pager/writeback-policy.ts', 'sim/device/scheduler.ts']);
    expect(importsOf('workloads/plugins/deadline.ts')).toEqual(['sim/device/scheduler.ts']);
    expect(violations('workloads/plugins', (t) => api.has(t))).toEqual([]);
  });

  it('reports/ uses traces/ and the result types of sim/stats/, never the model', () => {
    expect(violations('reports', (t) => inside(t, 'reports') || inside(t, 'traces') || inside(t, 'sim/stats'))).toEqual([]);
  });

  it('only scripts/, bench/ and test/ import scripts/', () => {
    for (const dir of ['traces', 'sim', 'workloads', 'reports']) expect(violations(dir, (t) => !inside(t, 'scripts'))).toEqual([]);
  });

  it('the cycle finder reports a cycle and accepts a graph without one', () => {
    const cyclic = new Map([['a', ['b']], ['b', ['c', 'd']], ['c', ['a']], ['d', []]]);
    expect(findCycle(cyclic)).toEqual(['a', 'b', 'c', 'a']);
    const acyclic = new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]);
    expect(findCycle(acyclic)).toBeUndefined();
  });

  it('sim/ has no import cycle (type imports included)', () => {
    const graph = new Map(tsFiles('sim').map((f) => [f, importsOf(f).filter((t) => inside(t, 'sim'))]));
    const cycle = findCycle(graph);
    expect(cycle, `import cycle: ${cycle?.join(' -> ')}`).toBeUndefined();
  });

  it('nothing in sim/ imports config.ts (defaults, schema, resolution): the model reads the types in config-types.ts', () => {
    expect(violations('sim', (t) => t !== 'sim/config.ts')).toEqual([]);
  });

  it('the configuration types import only the device key types, which import nothing of sim/', () => {
    expect(importsOf('sim/config-types.ts')).toEqual(['sim/device/profiles.ts']);
    expect(importsOf('sim/device/profiles.ts')).toEqual([]);
  });
});
