/**
 * Kernel looks: when the configurations of a report differ by personality,
 * each is drawn in its kernel's colour, the same in every chart of every
 * report (`freebsd` is blue whatever the order of a sweep's grid), rather
 * than in the colour of its place in the report. Configurations of one kernel
 * are told apart by a point shape and line dash besides its colour.
 *
 * A look is a style number of theme.ts `configStyle` (colour i mod 16, shape
 * and dash ⌊i / 8⌋ mod 8): kernel k's j-th configuration has style
 * KERNEL_COLOURS[k] + 16 j, its kernel's colour with shape and dash 2 j
 * (circle and solid line, triangle and dotted line, cross and dashed line,
 * right triangle and long dashes).
 */
import type { Results } from './data.ts';
import { chosenColors } from './select.ts';
import { configColorScale, configStyle, CONFIG_PALETTE, type ConfigScale } from './theme.ts';

/**
 * Each kernel personality's colour, as its place in CONFIG_PALETTE: the first
 * four of Okabe & Ito's colour-blind-safe palette (freebsd blue #0072B2, linux
 * vermillion #D55E00, xnu bluish green #009E73, mach reddish purple #CC79A7).
 */
export const KERNEL_COLOURS: Readonly<Record<string, number>> = { freebsd: 0, linux: 1, xnu: 2, mach: 3 };

/** How many configurations of one kernel have looks of their own (its colour with shapes and dashes 0, 2, 4, 6). */
export const KERNEL_VARIANTS = 4;

/** One item to draw (a configuration, a sweep line): its kernel, and its other settings (what orders its kernel's items). */
export interface KernelItem {
  personality: string | undefined;
  others: readonly string[];
}

/** Orders two lists of setting values: value by value, numbers by size (`2` before `10`), words alphabetically. */
function compareOthers(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = (a[i] ?? '').localeCompare(b[i] ?? '', 'en', { numeric: true });
    if (c !== 0) return c;
  }
  return 0;
}

/** Why kernel looks do not apply to `items` (some kernel has more items than KERNEL_VARIANTS), or '' when they do or the items do not differ by kernel. */
export function kernelLooksRefused(items: readonly KernelItem[]): string {
  const kernels = new Set(items.map((i) => i.personality));
  if (kernels.size < 2 || items.some((i) => i.personality === undefined || !Object.hasOwn(KERNEL_COLOURS, i.personality))) return '';
  const crowded = [...kernels].map((k) => [k, items.filter((i) => i.personality === k).length] as const).filter(([, n]) => n > KERNEL_VARIANTS);
  if (crowded.length === 0) return '';
  return `colours follow the configurations' order, not their kernel: ${crowded.map(([k, n]) => `${k} has ${n} configurations`).join(', ')}, more than the ${KERNEL_VARIANTS} looks a kernel has`;
}

/**
 * The style numbers of `items` (in order) by kernel: each kernel's colour, its items told apart by shape and dash
 * in the order of their other settings (so two reports of the same values agree, whatever their grid's order).
 * Undefined when the items do not differ by kernel (one kernel, or one unknown to KERNEL_COLOURS) or when a kernel
 * has more than KERNEL_VARIANTS items ({@link kernelLooksRefused}): then they are drawn in the order's looks.
 */
export function kernelStyles(items: readonly KernelItem[]): number[] | undefined {
  const kernels = new Set(items.map((i) => i.personality));
  if (kernels.size < 2 || items.some((i) => i.personality === undefined || !Object.hasOwn(KERNEL_COLOURS, i.personality))) return undefined;
  if (kernelLooksRefused(items)) return undefined;
  return items.map((it) => {
    const same = items.filter((o) => o.personality === it.personality).map((o) => o.others).sort(compareOthers);
    return KERNEL_COLOURS[it.personality!]! + CONFIG_PALETTE.length * same.indexOf(it.others);
  });
}

/** The colour of kernel `personality` (undefined for one not in KERNEL_COLOURS). */
export function kernelColour(personality: string): string | undefined {
  return Object.hasOwn(KERNEL_COLOURS, personality) ? configStyle(KERNEL_COLOURS[personality]!).color : undefined;
}

/**
 * The configurations of `results` as kernel items: each one's personality (its grid value, else its runs') and other
 * settings (a sweep's other grid values; a run directory's name).
 */
export function configKernelItems(results: Results): KernelItem[] {
  return results.configurations.map((c) => {
    const grid = c.settings.find(([k]) => k === 'personality');
    const personality = results.sweep ? grid?.[1] ?? c.runs[0]?.summary.config.personality : c.runs[0]?.summary.config.personality ?? grid?.[1];
    return { personality, others: results.sweep ? c.settings.filter(([k]) => k !== 'personality').map(([, v]) => v) : [c.label] };
  });
}

/**
 * The looks of a report of `all` (every configuration of the directory), or of its configurations `chosen`
 * (`--configs`): by kernel when they differ by personality ({@link kernelStyles}, over them all, so that a figure of
 * some matches one of all), else by their place (`chosenColors`).
 */
export function reportColors(all: Results, chosen?: readonly string[]): ConfigScale {
  const labels = all.configurations.map((c) => c.label);
  const items = configKernelItems(all);
  const byKernel = kernelStyles(items);
  if (byKernel) return configColorScale(labels, byKernel);
  const scale = chosen ? chosenColors(labels, chosen) : configColorScale(labels);
  const why = colourNote(items);
  return why ? { ...scale, byPlace: why } : scale;
}

/**
 * The in-figure words of a chart whose series (`items`) are coloured by their place, not their kernel, though of
 * several kernels ({@link kernelLooksRefused}), '' when they are by kernel or of one: so that the figure alone says
 * what colour means, which until 2026-12-07 only the report's note on the terminal said (a reader took
 * `freebsd, ASYNC, 1` in pink for mach). `colours and shapes follow the order of the configurations, not their
 * kernel (freebsd, linux, xnu and mach have 9 each, more than a kernel's 4 looks)`.
 */
export function colourNote(items: readonly KernelItem[], what = 'configurations'): string {
  if (!kernelLooksRefused(items)) return '';
  const kernels = [...new Set(items.map((i) => i.personality!))];
  const crowded = kernels.map((k) => [k, items.filter((i) => i.personality === k).length] as const).filter(([, n]) => n > KERNEL_VARIANTS);
  const names = (ks: readonly string[]) => (ks.length === 1 ? ks[0]! : `${ks.slice(0, -1).join(', ')} and ${ks.at(-1)}`);
  const same = crowded.every(([, n]) => n === crowded[0]![1]);
  const which = same
    ? `${names(crowded.map(([k]) => k))} ${crowded.length === 1 ? 'has' : 'have'} ${crowded[0]![1]}${crowded.length === 1 ? '' : ' each'}`
    : crowded.map(([k, n]) => `${k} has ${n}`).join(', ');
  return `colours and shapes follow the order of the ${what}, not their kernel (${which}, more than a kernel's ${KERNEL_VARIANTS} looks)`;
}
