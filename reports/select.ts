/**
 * `--configs`: a report of some of a directory's configurations, named as
 * the legends and index.html name them (a sweep's grid values, `linux,
 * 2`, or as written in results.csv, `linux, 2000`; a run directory's name),
 * or a sweep's grid point as `@N` (its `point` in results.csv, as `syncsim
 * compare SWEEP@N` names it).
 */
import { ReportError, type Results } from './data.ts';
import { configColorScale, configStyle, type ConfigScale } from './theme.ts';

/** The most names an unknown-name error lists before it counts the rest. */
const LISTED = 30;

/** The error of a name that is no configuration of `results`: the name, and the names there are. */
function unknownName(results: Results, name: string): ReportError {
  const labels = results.configurations.map((c) => c.label);
  const at = (label: string) => {
    const p = results.sweep?.points.find((x) => x.config.label === label);
    return p ? ` (@${p.point})` : '';
  };
  const listed = labels.slice(0, LISTED).map((l) => `'${l}'${at(l)}`).join(', ') + (labels.length > LISTED ? `, and ${labels.length - LISTED} more (index.html's table lists them all)` : '');
  // names hold commas and spaces (`linux, 2`): the closest is quoted, as the list quotes them
  return new ReportError(`--configs: no configuration '${name}' in ${results.dir}; its ${labels.length === 1 ? 'configuration is' : `${labels.length} configurations are`} ${listed}`, { name, known: labels, show: (l) => `'${l}'` });
}

/**
 * The labels of the configurations `given` names (each text a name or a comma-separated list of names), in the
 * directory's order, each once. A configuration's name may hold commas (a sweep's `linux, 2000`): a text that is
 * not one name as a whole is split at its commas, and its pieces taken as names joined by `, ` as the legends join
 * grid values (`linux, 2000,xnu, 2000` or `linux, 2000, xnu, 2000`: two names), the longest name first. A piece
 * that starts no name throws a {@link ReportError} naming it and listing the names there are.
 */
export function chooseConfigurations(results: Results, given: readonly string[]): string[] {
  const labels = results.configurations.map((c) => c.label);
  const known = new Set(labels);
  const byPoint = new Map((results.sweep?.points ?? []).map((p) => [`@${p.point}`, p.config.label]));
  // a grid point's name as written before its values were given in their units and words (`linux, 2097152`,
  // `freebsd, 0` for `linux, 2` and `freebsd, unlimited`), unless it is another point's name now
  const byWritten = new Map((results.sweep?.points ?? []).filter((p) => !known.has(p.written)).map((p) => [p.written, p.config.label]));
  const nameOf = (text: string) => (known.has(text) ? text : byPoint.get(text) ?? byWritten.get(text));
  const chosen = new Set<string>();
  for (const text of given) {
    const whole = nameOf(text) ?? nameOf(text.trim());
    if (whole !== undefined) {
      chosen.add(whole);
      continue;
    }
    const parts = text.split(',').map((p) => p.trim());
    // the names parts[i..] split into (the longest name first), or else the furthest piece at which no name starts
    const memo = new Map<number, string[] | number>();
    const split = (i: number): string[] | number => {
      if (i === parts.length) return [];
      if (parts[i] === '') return split(i + 1);
      if (memo.has(i)) return memo.get(i)!;
      let out: string[] | number = i;
      for (let j = parts.length; j > i; j--) {
        const name = nameOf(parts.slice(i, j).join(', '));
        if (name === undefined) continue;
        const rest = split(j);
        if (Array.isArray(rest)) {
          out = [name, ...rest];
          break;
        }
        out = Math.max(out as number, rest);
      }
      memo.set(i, out);
      return out;
    };
    const names = split(0);
    if (Array.isArray(names)) {
      for (const n of names) chosen.add(n);
      continue;
    }
    // the unknown name: from the piece where none starts to the next piece from which the rest are names
    let end = names + 1;
    while (end < parts.length && !Array.isArray(split(end))) end++;
    throw unknownName(results, parts.slice(names, end).filter((p) => p !== '').join(', '));
  }
  if (chosen.size === 0) throw new ReportError(`--configs: no configuration named (got '${given.join(',')}'); name one or more of ${results.dir}'s, comma-separated`);
  return labels.filter((l) => chosen.has(l));
}

/**
 * `results` with only the configurations `labels` (a sweep: those grid points, their runs and failed runs), and
 * `total`, the number the directory has. Everything else (the sweep's keys, metrics and seeds) is kept.
 */
export function selectConfigurations(results: Results, labels: readonly string[]): Results {
  const keep = new Set(labels);
  const sweep = results.sweep;
  const configurations = results.configurations.filter((c) => keep.has(c.label));
  const chosen = { total: results.configurations.length, labels: [...labels] };
  if (!sweep) return { ...results, configurations, chosen };
  const points = sweep.points.filter((p) => keep.has(p.config.label));
  return {
    ...results,
    configurations,
    chosen,
    sweep: {
      ...sweep,
      points,
      gridPoints: sweep.gridPoints ?? sweep.points,
      failed: sweep.failed.filter((f) => keep.has(f.label)),
      runCount: points.reduce((n, p) => n + p.config.runs.length + p.failed, 0),
    },
  };
}

/**
 * The colours of a report of the configurations `chosen` of `all` (every configuration of the directory, in
 * order): each keeps the look it has in the report of them all (so that a figure of some matches one of all),
 * unless two of them would then share a colour (configurations 1 and 17 of more than sixteen): then they are
 * drawn as a report of them alone would draw them, in the order of the directory.
 */
export function chosenColors(all: readonly string[], chosen: readonly string[]): ConfigScale {
  const colours = chosen.map((l) => configStyle(all.indexOf(l)).color);
  return new Set(colours).size === colours.length ? configColorScale(all) : configColorScale(chosen);
}
