/**
 * The manual's cross-references: README.md and docs/*.md. Every relative
 * link and anchor between them resolves, and every section the sources name
 * in a message or comment (`README, "CPU costs"`, `docs/configuration.md,
 * "CPU costs"`) is a heading or bold-headed paragraph of the file named —
 * so that moving a chapter out of the README (as "Configuration keys" and
 * "Validation against a real kernel" were, to docs/) leaves no pointer to
 * a section that is not where it says.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/** The lines of `md` outside fenced code blocks, with their numbers. */
function proseLines(md: string): [number, string][] {
  const out: [number, string][] = [];
  let fence = false;
  md.split('\n').forEach((l, i) => {
    if (/^\s*(```|~~~)/.test(l)) { fence = !fence; return; }
    if (!fence) out.push([i + 1, l]);
  });
  return out;
}

/** A heading's text as GitHub shows it: inline code, emphasis and links reduced to their text. */
const plain = (s: string) => s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '').trim();

/** GitHub's anchor of a heading (github-slugger): lower case, punctuation but - and _ dropped, spaces as -. */
const slug = (s: string) => plain(s).toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');

/** The headings of `md`, outside code. */
const headings = (md: string) => proseLines(md).map(([, l]) => /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l)?.[1]).filter((h): h is string => h !== undefined);

/** Every anchor of `md`, a repeated one numbered as GitHub numbers it (-1, -2, ...). */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(md)) {
    const s = slug(h);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n === 0 ? s : `${s}-${n}`);
  }
  return out;
}

/** The names a reference may give a section of `md`: its headings and the bold heads of its paragraphs and list items. */
function sectionNames(md: string): string[] {
  const out = headings(md).map(plain);
  const prose = proseLines(md).map(([, l]) => l).join('\n');
  for (const m of prose.matchAll(/\*\*([^*]+)\*\*/g)) out.push(plain(m[1]!.replace(/\s+/g, ' ')).replace(/[.:]$/, ''));
  return out;
}

/** Whether `name` (as quoted) names a section of `md`: the whole of a heading or bold head, or its part before a colon, comma or parenthesis. */
function names(md: string, name: string): boolean {
  const n = name.replace(/\s+/g, ' ').replace(/[.,]$/, '');
  return sectionNames(md).some((s) => s === n || [': ', ', ', ' ('].some((after) => s.startsWith(n + after)));
}

/** Relative links of `file` (outside code spans and blocks), as [line, target]. */
function links(file: string): [number, string][] {
  const out: [number, string][] = [];
  for (const [n, l] of proseLines(read(file))) {
    for (const m of l.replace(/`[^`]*`/g, (c) => (c.includes('](') ? '' : c)).matchAll(/!?\[(?:[^\]`]|`[^`]*`)*\]\(([^)\s]+)\)/g)) {
      const t = m[1]!;
      if (!/^[a-z]+:/i.test(t)) out.push([n, t]);
    }
  }
  return out;
}

describe('links of README.md and docs/*.md', () => {
  it('finds the links it checks', () => {
    expect(links('README.md').map(([, t]) => t)).toEqual(expect.arrayContaining(['#configuration-keys', 'docs/configuration.md', 'docs/validation.md']));
    expect(links('docs/configuration.md').map(([, t]) => t)).toContain('../README.md');
  });

  it('each names a file that exists, and a heading of it', () => {
    const broken: string[] = [];
    for (const f of DOCS) {
      for (const [n, t] of links(f)) {
        const [path, anchor] = t.split('#') as [string, string | undefined];
        const target = path === '' ? f : relative(ROOT, resolve(ROOT, dirname(f), decodeURI(path)));
        if (!existsSync(join(ROOT, target))) broken.push(`${f}:${n}: ${t} (no file ${target})`);
        else if (anchor !== undefined && !(target.endsWith('.md') && anchors(read(target)).has(anchor))) broken.push(`${f}:${n}: ${t} (no heading #${anchor} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** Source files whose messages and comments may name a section of the manual. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Every `FILE, "Section"` of `text` (a source with its comment markers and line breaks folded
 * into spaces): FILE README, README.md or docs/NAME.md, then a comma or nothing, then one or
 * more quoted names joined by commas (a section, then a point inside it).
 */
function sectionRefs(text: string): { file: string; names: string[] }[] {
  const flat = text.replace(/\s*\n\s*(?:\*(?!\/)|\/\/)?\s*/g, ' ').replace(/' \+ '|` \+ `|' \+ `|` \+ '/g, '');
  const out: { file: string; names: string[] }[] = [];
  for (const m of flat.matchAll(/\b(README(?:\.md)?|docs\/[\w.-]+\.md)(?:'s)?,? ((?:"[^"]+",? ?)+)/g)) {
    const file = m[1] === 'README' ? 'README.md' : m[1]!;
    out.push({ file, names: [...m[2]!.matchAll(/"([^"]+)"/g)].map((q) => q[1]!) });
  }
  return out;
}

describe('sections the sources and the manual name', () => {
  const dirs = ['scripts', 'sim', 'traces', 'reports', 'workloads', 'bench'];
  const refs = [...dirs.flatMap(sources), ...DOCS].flatMap((f) => sectionRefs(read(f)).map((r) => ({ ...r, source: f })));

  it('finds the references it checks', () => {
    expect(refs.length).toBeGreaterThan(20);
    expect(refs).toContainEqual(expect.objectContaining({ source: 'scripts/run.ts', file: 'docs/configuration.md', names: ['CPU costs'] }));
    expect(refs).toContainEqual(expect.objectContaining({ source: 'docs/device.md', file: 'docs/configuration.md', names: ['A tight body and a long tail'] }));
  });

  it('each names a heading or bold-headed paragraph of the file it names (and so does each point inside it named after it)', () => {
    const wrong: string[] = [];
    for (const r of refs) {
      const md = existsSync(join(ROOT, r.file)) ? read(r.file) : undefined;
      for (const n of r.names) if (md === undefined || !names(md, n)) wrong.push(`${r.source}: ${r.file}, "${n}"`);
    }
    expect(wrong).toEqual([]);
  });
});
