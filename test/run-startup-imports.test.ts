/**
 * What `syncsim run` loads before it reads a trace: the modules its command imports statically
 * (relative imports followed through the sources; `import type` and dynamic `import()` load
 * nothing then) must not pull in packages that only a config file, an experiment or a report
 * needs. The `yaml` package takes about 25 ms of a process's start-up on the development machine,
 * 8 % of a 5-row run; `scripts/yaml-file.ts` loads it on first use.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** Each package a file of the static import graph from `entry` imports at load, with the chain of files that reaches it. */
function packagesLoaded(entry: string): Map<string, string[]> {
  const parent = new Map<string, string>();
  const seen = new Set([entry]);
  const queue = [entry];
  const found = new Map<string, string[]>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    const src = readFileSync(join(ROOT, file), 'utf8');
    for (const m of src.matchAll(/^\s*(import|export)(\s+type)?\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)) {
      if (m[2]) continue; // import type / export type: erased
      const spec = m[3] ?? m[4]!;
      if (/^import\s*\{[^}]*\}/.test(m[0]) && /^\s*import\s*\{\s*(type\s+[^,}]+\s*,?\s*)+\}/.test(m[0])) continue; // only types named
      if (!spec.startsWith('.')) {
        if (spec.startsWith('node:')) continue;
        if (!found.has(spec)) {
          const chain = [file];
          for (let c = file; parent.has(c); ) chain.push((c = parent.get(c)!));
          found.set(spec, chain);
        }
        continue;
      }
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      if (!existsSync(join(ROOT, target)) || seen.has(target)) continue;
      seen.add(target);
      parent.set(target, file);
      queue.push(target);
    }
  }
  return found;
}

describe("syncsim run's start-up", () => {
  it('imports neither the YAML nor a chart package at load', () => {
    const loaded = packagesLoaded('scripts/commands/run.ts');
    for (const pkg of ['yaml', 'vega', 'vega-lite']) {
      expect(loaded.has(pkg) ? `${pkg} <- ${loaded.get(pkg)!.join(' <- ')}` : 'not loaded').toBe('not loaded');
    }
  });

  it('the walk sees packages imported at load (a check of the check)', () => {
    // the sweep's experiment reader needs yaml's node types at load
    expect(packagesLoaded('scripts/sweep/experiment.ts').has('yaml')).toBe(true);
  });
});
