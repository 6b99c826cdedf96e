/**
 * Legend labels cut short, given whole in the figure's note. A legend label
 * is never wider than the plot (`fitLegendLabels`): a longer one ends in an
 * ellipsis, and until 2026-12-06 its full text was in no figure
 * (`freebsd, 0 = freebsd, 3000 = freebsd, 8000 = mach, 0 …` hid that mach's
 * 1500, 3000 and 8000 were in the group). After the layout has set every
 * legend's limit, the labels past it are named in full in the note under
 * the plot, as `writeback-by-cause` names the bar labels its axis cuts.
 */
import { textWidth, wrapText } from './fonts.ts';

/** The parts of a note made by `figureNote`: its text (unwrapped, without the final period) and the line of what was run. */
interface NoteParts {
  text: string;
  run: string;
}

/** Notes made by `figureNote`, by the title object a spec holds: what they say before wrapping. */
const NOTES = new WeakMap<object, NoteParts>();

/** Records that title object `note` says `text` and then `run` (figureNote), so that more can be said in it. */
export function registerNote(note: object, text: string, run: string): void {
  NOTES.set(note, { text, run });
}

/** A legend of a spec: its labels (its scale's domain) and the px a label may take, of its font size. */
interface LegendOf {
  labels: string[];
  limit: number;
  size: number;
}

/** Vega's legend label limit when neither the legend nor the config gives one (px); 0 means none. */
const VEGA_LABEL_LIMIT = 160;

/**
 * The legends of `spec`: each encoding channel with a legend that writes its scale's domain as it is (no
 * `labelExpr`, which writes other text), its label limit (the legend's, else the config's, else vega's) and
 * font size.
 */
function legendsOf(spec: Record<string, unknown>): LegendOf[] {
  const config = (spec.config as { legend?: { labelLimit?: number; labelFontSize?: number } } | undefined)?.legend ?? {};
  const out: LegendOf[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    const legend = o.legend as { labelLimit?: number; labelFontSize?: number; labelExpr?: string } | null | undefined;
    const domain = (o.scale as { domain?: unknown[] } | undefined)?.domain;
    if (legend && typeof legend === 'object' && !legend.labelExpr && typeof o.field === 'string' && Array.isArray(domain) && domain.every((d) => typeof d === 'string')) {
      out.push({ labels: domain as string[], limit: legend.labelLimit ?? config.labelLimit ?? VEGA_LABEL_LIMIT, size: legend.labelFontSize ?? config.labelFontSize ?? 11 });
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'config' && k !== 'data') walk(v);
  };
  walk(spec);
  return out;
}

/** The labels of `spec`'s legends that vega ends in an ellipsis: wider than their legend's limit (none when it is 0), each once, in order. */
export function cutLegendLabels(spec: Record<string, unknown>): string[] {
  const cut: string[] = [];
  for (const l of legendsOf(spec)) {
    if (!(l.limit > 0)) continue;
    for (const label of l.labels) if (textWidth(label, l.size) > l.limit && !cut.includes(label)) cut.push(label);
  }
  return cut;
}

/** The note's words for labels `cut`: `legend label cut short, in full: a = b = c`. */
export function cutLabelsText(cut: readonly string[]): string {
  return `legend label${cut.length === 1 ? '' : 's'} cut short, in full: ${cut.join('; ')}`;
}

/**
 * A series label of joined configurations (`a = b = c = d`) short enough for `limit` px at `size`: its first
 * members, as many as fit, and how many more (`a = b = 2 more`), never a member cut; undefined when it has one
 * member or its first does not fit with the count (then vega ends it in an ellipsis, and the note gives it whole).
 * Until 2026-12-07 a legend cut such a label mid-member (`linux, ASYNC = linux, INVALIDATE = mach, INVALI…`).
 */
export function shortMerged(label: string, size: number, limit: number): string | undefined {
  const members = label.split(' = ');
  if (members.length < 2) return undefined;
  for (let k = members.length - 1; k >= 1; k--) {
    const short = `${members.slice(0, k).join(' = ')} = ${members.length - k} more`;
    if (textWidth(short, size) <= limit) return short;
  }
  return undefined;
}

/** A vega expression writing each label of `short` (full → short) as its short form, any other as it is. */
export function shortLabelExpr(short: ReadonlyMap<string, string>): string {
  return [...short].reduceRight((rest, [full, s]) => `datum.label === ${JSON.stringify(full)} ? ${JSON.stringify(s)} : ${rest}`, 'datum.label');
}

/** `spec` with each legend whose labels are cut (`short` maps them) writing them short (a `labelExpr`). */
function withShortLabels<T>(spec: T, short: ReadonlyMap<string, string>): T {
  if (Array.isArray(spec)) return spec.map((x) => withShortLabels(x, short)) as T;
  if (spec === null || typeof spec !== 'object') return spec;
  const o = spec as Record<string, unknown>;
  const domain = (o.scale as { domain?: unknown[] } | undefined)?.domain;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'legend' && v && typeof v === 'object' && !(v as { labelExpr?: string }).labelExpr && Array.isArray(domain) && domain.some((d) => short.has(String(d)))) {
      out[k] = { ...v, labelExpr: shortLabelExpr(new Map([...short].filter(([f]) => domain.includes(f)))) };
    } else out[k] = k === 'config' || k === 'data' || k === 'datasets' ? v : withShortLabels(v, short);
  }
  return out as T;
}

/**
 * `spec` (laid out: its legends' limits set) with the legend labels it cuts short named in full in its note,
 * wrapped to a figure `width` px wide with `padding`: after the note's text and before the line of what was run
 * when `figureNote` made it (`raw`, the note object the chart's spec holds), else after its lines, or as a note
 * of its own; and how many px the note grew by (its added lines, and its offset when it is new).
 */
export function noteCutLabels(spec: Record<string, unknown>, raw: unknown, width: number, padding: number): { spec: Record<string, unknown>; extra: number } {
  const cut = cutLegendLabels(spec);
  if (cut.length === 0) return { spec, extra: 0 };
  // joined configurations too long for their legend: as many whole members as fit and how many more
  const short = new Map<string, string>();
  for (const l of legendsOf(spec)) for (const label of l.labels) {
    const s = cut.includes(label) ? shortMerged(label, l.size, l.limit) : undefined;
    if (s !== undefined && !short.has(label)) short.set(label, s);
  }
  if (short.size) spec = withShortLabels(spec, short);
  const config = (spec.config as { legend?: { labelFontSize?: number } } | undefined)?.legend ?? {};
  const title = spec.title as { text?: string[] | string; fontSize?: number; lineHeight?: number; offset?: number } | undefined;
  const size = title?.fontSize ?? config.labelFontSize ?? 8;
  const lineHeight = title?.lineHeight ?? Math.round(size * 1.2);
  const wrapWidth = width - 2 * padding - 4;
  const words = short.size === cut.length
    ? `'= N more': ${cut.length === 1 ? 'the legend label' : 'legend labels'} shortened, in full: ${cut.join('; ')}`
    : cutLabelsText(cut);
  const parts = raw !== null && typeof raw === 'object' ? NOTES.get(raw) : undefined;
  const before = title ? (Array.isArray(title.text) ? title.text.length : title.text ? 1 : 0) : 0;
  let text: string[];
  if (parts) text = [...(parts.text ? wrapText(`${parts.text}; ${words}.`, size, wrapWidth) : wrapText(`${words}.`, size, wrapWidth)), ...(parts.run ? wrapText(parts.run, size, wrapWidth) : [])];
  else text = [...(title ? (Array.isArray(title.text) ? title.text : title.text ? [title.text] : []) : []), ...wrapText(`${words}.`, size, wrapWidth)];
  const note = title
    ? { ...title, text }
    : { text, orient: 'bottom', anchor: 'start', frame: 'bounds', fontSize: size, fontWeight: 'normal', color: '#444444', offset: Math.round(size * 0.6), lineHeight };
  const extra = (text.length - before) * lineHeight + (title ? 0 : Math.round(size * 0.6) + size - lineHeight);
  return { spec: { ...spec, title: note }, extra };
}
