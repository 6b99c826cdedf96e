/**
 * Lines hidden under others: a series whose step line, drawn before others,
 * lies everywhere under their strokes, so that none of it shows, although
 * its data differ by more than `drawnAlike` joins with `=` (a timeline one
 * page lower for one point of 499: 1.2 px lower for 0.4 px, inside the
 * vertical strokes of the line drawn over it). Its legend entry would name a
 * line no reader can find; the chart's note says where it is
 * ({@link hiddenNote}).
 *
 * A step line (vega's `interpolate: 'step-after'`: horizontal runs joined by
 * vertical steps) of stroke width `w`, with its square (miter) joins, covers
 * the points within `w / 2` of its path along x and along y: at each x, from
 * the lowest y its path reaches within `w / 2` of x, less `w / 2`, to the
 * highest, plus `w / 2`.
 */

/** A step line as drawn: its [x, y] points in px, x ascending. */
export type StepLine = readonly (readonly [number, number])[];

/**
 * The lowest and highest y of step line `c`'s path over x from `u` to `v`
 * (the runs and the steps there), undefined where its path has no point.
 */
function extentOver(c: StepLine, u: number, v: number): [number, number] | undefined {
  const n = c.length;
  if (n < 2 || v < c[0]![0] || u > c[n - 1]![0]) return undefined;
  // the last point at or before u: its run reaches u
  let i = -1;
  for (let lo = 0, hi = n - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (c[mid]![0] <= u) (i = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  let a = Infinity, b = -Infinity;
  const take = (y: number) => ((a = Math.min(a, y)), (b = Math.max(b, y)));
  if (i >= 0) {
    take(c[i]![1]);
    // a step at u itself: from the run before it
    if (i > 0 && c[i]![0] === u) take(c[i - 1]![1]);
  }
  for (let j = i + 1; j < n && c[j]![0] <= v; j++) {
    // a step at x_j within the window runs from the previous y to this one
    if (j > 0) take(c[j - 1]![1]);
    take(c[j]![1]);
  }
  return [a, b];
}

/**
 * Which of `covers` (step lines drawn over `line`) hide `line` of stroke
 * width `w`: every point of its stroke within `tol` px (along x and along y)
 * of their strokes' union. Returns the indexes of the covers that hide some
 * part of it, or undefined when some of it shows (or it has fewer than two
 * points: no line drawn).
 */
export function coveredBy(line: StepLine, covers: readonly StepLine[], w: number, tol: number): Set<number> | undefined {
  if (line.length < 2) return undefined;
  const h = w / 2, reach = h + tol;
  // where a column's extents change: each point's x, a half width either side (a cover's, its reach)
  const cuts = [...line.flatMap(([x]) => [x - h, x + h]), ...covers.flatMap((c) => c.flatMap(([x]) => [x - reach, x + reach]))];
  const from = line[0]![0] - h, to = line[line.length - 1]![0] + h;
  const xs = [...new Set(cuts.filter((x) => x >= from && x <= to).concat(from, to))].sort((p, q) => p - q);
  const used = new Set<number>();
  // between two cuts every column is alike: one test at its middle
  for (let k = 0; k + 1 < xs.length; k++) {
    const x = (xs[k]! + xs[k + 1]!) / 2;
    const own = extentOver(line, x - h, x + h);
    if (!own) continue;
    const [lo, hi] = [own[0] - h, own[1] + h];
    const spans = covers.map((c, ci) => {
      const e = extentOver(c, x - reach, x + reach);
      return e ? { ci, lo: e[0] - reach, hi: e[1] + reach } : undefined;
    }).filter((s) => s !== undefined && s.hi > lo && s.lo < hi).sort((p, q) => p!.lo - q!.lo);
    // the covers' spans, in order from below, must leave no gap from lo to hi
    let at = lo;
    for (const s of spans) {
      if (s!.lo > at + 1e-9) break;
      if (s!.hi > at) (at = s!.hi), used.add(s!.ci);
    }
    if (at < hi - 1e-9) return undefined;
  }
  return used;
}

/**
 * The series of a chart, in the order drawn (each over those before it),
 * that the later ones hide in every panel ({@link coveredBy}): each with the
 * labels of those that hide it — one that does alone, when one does, else
 * every one that covers some part of it.
 */
export function hiddenSeries(series: readonly { label: string; panels: readonly StepLine[] }[], w: number, tol: number): { label: string; under: string[] }[] {
  const out: { label: string; under: string[] }[] = [];
  series.forEach((s, i) => {
    const later = series.slice(i + 1);
    const hides = (of: typeof later) => {
      const used = new Set<number>();
      for (let p = 0; p < s.panels.length; p++) {
        const by = coveredBy(s.panels[p]!, of.map((l) => l.panels[p]!), w, tol);
        if (!by) return undefined;
        by.forEach((j) => used.add(j));
      }
      return s.panels.length ? used : undefined;
    };
    const alone = later.find((l) => hides([l]));
    if (alone) return void out.push({ label: s.label, under: [alone.label] });
    const all = hides(later);
    if (all) out.push({ label: s.label, under: later.filter((_, j) => all.has(j)).map((l) => l.label) });
  });
  return out;
}

/**
 * What a figure says of its hidden series (`what`: `timelines`): `linux, 8
 * is hidden under linux, 32 = linux, 128 (close timelines, not identical)`;
 * '' when none is.
 */
export function hiddenNote(hidden: readonly { label: string; under: string[] }[], what: string): string {
  return hidden.map((h) => {
    const under = h.under.length > 1 ? `${h.under.slice(0, -1).join(', ')} and ${h.under[h.under.length - 1]}` : h.under[0];
    return `${h.label} is hidden under ${under} (close ${what}, not identical)`;
  }).join('; ');
}
