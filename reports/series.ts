/**
 * Identical configurations: when two configurations draw exactly the same
 * data, a chart draws one series for them and names them all in its legend
 * (`linux = mach`), rather than hiding one line under the other.
 */

/** One series as drawn: the configurations it stands for and the colour of the first. */
export interface MergedSeries {
  /** Legend label: the members joined by ' = '. */
  label: string;
  members: string[];
  color: string;
}

/** The series of a chart after merging configurations with identical data. */
export interface Merged {
  series: MergedSeries[];
  /** The colour scale of the merged labels. */
  scale: { domain: string[]; range: string[] };
  /** The merged label of a configuration, when it leads its series (its rows are drawn); undefined for the others. */
  lead(label: string): string | undefined;
  /** Whether any two configurations were merged. */
  any: boolean;
}

/**
 * Groups `items` (in order) whose `data` serialise to the same JSON; each
 * group is labelled with its members' labels joined by ' = ' and takes the
 * colour of its first member.
 */
export function mergeIdentical(items: readonly { label: string; color: string; data: unknown }[]): Merged {
  const byData = new Map<string, MergedSeries>();
  const series: MergedSeries[] = [];
  const leads = new Map<string, MergedSeries>();
  for (const it of items) {
    const key = JSON.stringify(it.data);
    const s = byData.get(key);
    if (s) s.members.push(it.label);
    else {
      const fresh = { label: it.label, members: [it.label], color: it.color };
      byData.set(key, fresh);
      series.push(fresh);
      leads.set(it.label, fresh);
    }
  }
  for (const s of series) s.label = s.members.join(' = ');
  return {
    series,
    scale: { domain: series.map((s) => s.label), range: series.map((s) => s.color) },
    lead: (label) => leads.get(label)?.label,
    any: series.length < items.length,
  };
}

/** The colour of `label` in a configuration colour scale (black when absent). */
export function colorOf(scale: { domain: string[]; range: string[] }, label: string): string {
  const i = scale.domain.indexOf(label);
  return i < 0 ? '#000000' : scale.range[i];
}
