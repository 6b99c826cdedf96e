/**
 * The texts of a calibration: the profile fragment (YAML, each fitted key
 * followed by a comment with its fit and microbenchmark) and the terminal
 * summary.
 */
import { dirname, resolve } from 'node:path';
import type { Calibration } from './calibration.ts';
import type { FlushGap } from '../../sim/device/flush-gap.ts';
import { pageinRate, SEGMENT_MAX_SHARE } from './calibration-fit.ts';
import { driftNote, driftText } from './host-drift-fit.ts';
import { isLinuxCalibratedKey } from '../profile-sections.ts';

/** device.flush_gap as one line: '× 1 at 58 µs, × 1.08 at 1069 µs, ...'. */
const gapText = (t: FlushGap) => t.gap_us.map((g, i) => `× ${t.factor[i]} at ${g} µs`).join(', ') + ' since the previous FLUSH';

/** A value as one line of YAML (flow style for a mapping). */
export function flowYaml(v: unknown): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flowYaml(x)}`).join(', ')} }`;
  }
  if (typeof v === 'string') return /^[A-Za-z][\w.-]*$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/**
 * A line's R² as the table and the profile's comments give it: `R² 0.9973`; `n/a` when every point had
 * the same value; and no R² for a line through two points (`quick`'s sizes), which goes through both
 * whatever they are, so its R² of 1 would say nothing of the fit: `exact: a line through 2 points`.
 */
export function r2Text(r2: number, points: number | undefined): string {
  if (points !== undefined && points <= 2) return `exact: a line through ${points} points, no R²`;
  return `R² ${Number.isNaN(r2) ? 'n/a' : r2.toFixed(4)}`;
}

const quality = (f: { r2: number | null; n: number }) => (f.r2 === null ? `n ${f.n}` : f.n <= 2 ? r2Text(f.r2, f.n) : `${r2Text(f.r2, f.n)}, n ${f.n}`);

/**
 * The fragment: `device` (and `cpu`) keys with a comment above each saying where it comes from;
 * the keys measured of the machine's Linux kernel (`readahead`, `fs`, the `cpu` keys only the
 * linux personality reads: profile-sections.ts isLinuxCalibratedKey) under `linux:`, a
 * personality section, so that they apply under the linux personality only. The calibration's
 * `fragment` (its JSON report) keeps them in their groups.
 */
export function fragmentText(cal: Calibration): string {
  const lines = [
    `# syncsim calibrate (syncsim ${cal.syncsim_version}, ${cal.fio_version}): ${cal.dir} (${cal.filesystem}${cal.block_device ? `, /dev/${cal.block_device.disk}` : ''})${cal.quick ? ', --quick' : ''}, ${new Date().toISOString()}`,
    '# A device profile: use it with --config FILE or device.profile: FILE. Keys not listed come from the base profile.',
    `# Details (every step, fit and check): ${cal.files.calibration}`,
    ...(cal.warnings ?? []).map((w) => `# warning: ${w}`),
  ];
  const section = (name: string, keys: Record<string, unknown>, indent: string) => {
    lines.push(`${indent}${name}:`);
    for (const [k, v] of Object.entries(keys)) {
      const f = cal.fitted[`${name}.${k}`];
      if (f) lines.push(`${indent}  # ${f.from} (${quality(f)})`);
      lines.push(`${indent}  ${k}: ${flowYaml(v)}`);
    }
  };
  const { everyone, linux } = splitLinuxKeys(cal.fragment);
  for (const [name, keys] of Object.entries(everyone)) section(name, keys, '');
  if (Object.keys(linux).length > 0) {
    lines.push('# Measured of this machine\'s Linux kernel: these keys apply under personality linux only (the other personalities keep their own filesystem and read-ahead).');
    lines.push('linux:');
    for (const [name, keys] of Object.entries(linux)) section(name, keys, '  ');
  }
  return lines.join('\n') + '\n';
}

/** A profile's groups of keys: group name → key → value. */
type Groups = Record<string, Record<string, unknown>>;

/**
 * The groups of calibration fragment `fragment` split into those for every personality (the
 * device keys, the other cpu keys) and those for the `linux:` section, in the order the profile
 * writes them (device, cpu; readahead, fs, cpu).
 */
export function splitLinuxKeys(fragment: Calibration['fragment']): { everyone: Groups; linux: Groups } {
  const everyone: Groups = {}, linux: Groups = {};
  const add = (into: Groups, group: string, k: string, v: unknown) => ((into[group] ??= {})[k] = v);
  for (const group of ['device', 'cpu', 'readahead', 'fs'] as const) {
    for (const [k, v] of Object.entries((fragment[group] ?? {}) as Record<string, unknown>)) {
      if (!isLinuxCalibratedKey(`${group}.${k}`)) add(everyone, group, k, v);
    }
  }
  for (const group of ['readahead', 'fs', 'cpu'] as const) {
    for (const [k, v] of Object.entries((fragment[group] ?? {}) as Record<string, unknown>)) {
      if (isLinuxCalibratedKey(`${group}.${k}`)) add(linux, group, k, v);
    }
  }
  return { everyone, linux };
}

/** R² of a fitted submission stage, as the table prints it. */
const fr2 = (f: Calibration['fits']['submission']) => ('r2' in f ? r2Text(f.r2, f.n) : 'R² n/a');

/** The journal check's words on its file's extents: how many, and the share of appends whose fdatasync wrote an extent tree block. */
export function extentsText(x: Calibration['checks']['journal']['file_extents']): string {
  if (x === undefined) return '';
  if ('reason' in x) return `; the file's extents unknown: ${x.reason}`;
  return `; the file had ${x.extents} extent${x.extents === 1 ? '' : 's'}${x.extent_leaf_share > 0 ? `, ${(x.extent_leaf_share * 100).toFixed(1)} % of its appends past the fourth (an extent tree block written too)` : ''}`;
}

/** A short summary of a calibration, for the terminal. */
export function calibrationTable(c: Calibration, fragment: string): string {
  const f1 = (v: number | null) => (v === null ? '-' : v.toFixed(1));
  const d = c.fragment.device;
  const lat = (x: unknown) => {
    const l = x as { dist: string; mean_us: number; cv?: number };
    return `${l.mean_us} µs ${l.dist}${l.cv !== undefined ? ` cv ${l.cv}` : ''}`;
  };
  const j = c.checks.journal, p = c.checks.pagein;
  const rows: [string, string][] = [
    ['device', `${c.dir} (${c.filesystem}${c.block_device ? `, /dev/${c.block_device.disk}` : ''}), ${c.fio_version}, ${c.step_ms} ms per step, ${c.wall_s.toFixed(1)} s in all`],
    ['profile', `${String(d.profile)} (base of the keys not fitted)`],
    ['read', `latency ${lat(d.read_latency)} (${r2Text(c.fits.read.r2, c.fits.read.n)}), read_bandwidth_mbps ${d.read_bandwidth_mbps} (${readSource(c)})`],
    ...(c.fits.segment ? [['segment', 'reason' in c.fits.segment
      ? `- (${c.fits.segment.reason})`
      : typeof d.segment_us === 'number'
        ? `segment_us ${d.segment_us} (O_DIRECT reads of ${c.fits.segment.pages} pages: ${c.fits.segment.pages_p50_us.toFixed(1)} µs into separate pages, ${c.fits.segment.huge_p50_us.toFixed(1)} into a huge page, medians of ${c.fits.segment.count}; read_bandwidth_mbps is the bytes' rate beside it)`
        : `- (${c.fits.segment.segment_us} µs a segment: not fitted, more than ${SEGMENT_MAX_SHARE * 100} % of a page's read time at ${c.fitted['device.read_bandwidth_mbps']?.value ?? '?'} MB/s)`] as [string, string]] : []),
    ['request', `read_request_mbps ${d.read_request_mbps ?? '-'} (one read alone: ${c.fitted['device.read_request_mbps']?.from.startsWith('pagein-probe') ? 'the page-in probe\'s first window, one request at a time' : `O_DIRECT QD1 reads${c.fits.segment && typeof d.segment_us === 'number' ? ', less segment_us a page' : ''}`}), max_segments ${d.max_segments ?? '-'}, ring_descriptors ${d.ring_descriptors ?? '-'}${typeof d.ring_descriptors === 'number' && d.ring_descriptors > 0 ? ' (virtio ring: a request takes its segments plus two)' : ''}`],
    ['write', `latency ${lat(d.write_latency)} (${r2Text(c.fits.write.r2, c.fits.write.n)}), bandwidth_mbps ${d.bandwidth_mbps} (${c.fits.writeback ? `page-cache writeback, ${r2Text(c.fits.writeback.r2, c.fits.writeback.n)}` : 'O_DIRECT'}), media_mbps ${d.media_mbps} (${c.fits.destage_rate ? (c.fits.destage_rate.flat ? 'the FLUSH did not grow with one write\'s size: no destage time a byte' : `the FLUSH's destage rate, ${r2Text(c.fits.destage_rate.r2, c.fits.destage_rate.points.length)}`) : 'O_DIRECT'})`],
    ['channels', `${d.channels} (${d.submit_us !== undefined ? 'the deepest queue probed; ' : ''}Little's law: reads ${c.fits.channels_read.estimate.toFixed(2)}, writes ${c.fits.channels_write.estimate.toFixed(2)})`],
    ['submission', d.submit_us !== undefined ? `submit_us ${d.submit_us}, submit_command_us ${d.submit_command_us} (batched writes, ${fr2(c.fits.submission)}${c.fits.writeback_stage ? `; writeback of scattered pages ${c.fits.writeback_stage.off_cpu_page_us.median_us.toFixed(2)} µs a write off the CPU, reported` : ''}${'overlap' in c.fits.submission && c.fits.submission.overlap ? `; latency ${c.fits.submission.overlap.overlap ? 'beside the stage (submit_overlap)' : 'after its turn'}: intercept ${c.fits.submission.intercept_us.toFixed(2)} µs, nearer ${c.fits.submission.overlap.overlap ? c.fits.submission.overlap.predicted_side_by_side_us.toFixed(2) : c.fits.submission.overlap.predicted_in_turn_us.toFixed(2)} than ${c.fits.submission.overlap.overlap ? c.fits.submission.overlap.predicted_in_turn_us.toFixed(2) : c.fits.submission.overlap.predicted_side_by_side_us.toFixed(2)}` : ''})` : `- (${'reason' in c.fits.submission ? c.fits.submission.reason : ''})`],
    ...(c.fits.completion && d.submit_us !== undefined ? [['completion', 'reason' in c.fits.completion
      ? `submit_completion each (not judged: ${c.fits.completion.reason})`
      : `submit_completion ${c.fits.completion.submit_completion} (${c.fits.completion.nine_or_more_pct} % of the reaps of ${c.fits.completion.batch} writes submitted together found 9 or more completions)`] as [string, string]] : []),
    ['flush', `write_cache ${d.write_cache} (${c.fits.flush.write_cache_source}), flush_us ${d.flush_us}${d.flush_cv !== undefined ? `, flush_empty_us ${d.flush_empty_us}, flush_cv ${d.flush_cv}${typeof d.flush_floor === 'number' && d.flush_floor > 0 ? `, flush_floor ${d.flush_floor}` : ''}${Array.isArray(d.flush_quantiles) && d.flush_quantiles.length > 0 ? `, the spread as measured (flush_quantiles: ${d.flush_quantiles.length})` : ''}` : ''}`],
    ...(c.fits.host_spread ? [['host', 'reason' in c.fits.host_spread.fit
      ? `host_cv 0 (${c.fits.host_spread.fit.reason})`
      : `host_cv ${c.fits.host_spread.fit.host_cv}${typeof d.host_floor === 'number' && d.host_floor > 0 ? `, host_floor ${d.host_floor}` : ''}${driftNote(d)} (a write and its fdatasync: rank correlation ${c.fits.host_spread.fit.spearman.toFixed(3)} over ${c.fits.host_spread.fit.pairs} pairs; the latencies and the FLUSH keep their own spread only${driftNote(d) === '' ? driftText(d, c.fits.host_spread.drift) : ''})`] as [string, string]] : []),
    ['busy peer', typeof d.busy_latency_us === 'number' ? `busy_latency_us ${d.busy_latency_us}, busy_flush_us ${String(d.busy_flush_us)} (a command's latency and a FLUSH beside a busy CPU, less alone: cpu-costs.c's device samples)` : '- (no device samples beside a busy CPU: one CPU, or no probe)'],
    ['destage', c.fits.destage ? `${c.fits.destage.destage}, media_write_us ${c.fits.destage.media_write_us} (${c.fits.destage.slope_us_per_write.toFixed(2)} µs per write before a FLUSH, ${r2Text(c.fits.destage.r2, c.fits.destage.n)})` : '- (no write cache, or one flush step)'],
    ['flush gap', c.fits.flush_gap ? `a FLUSH alone ${gapText(c.fits.flush_gap.table)}; ${c.fits.flush_gap.destage_us} µs a write with that time taken out (${c.fragment.device.flush_gap !== undefined ? `device.flush_gap: ${c.fits.flush_gap_growth?.why ?? 'in the profile'}` : `measured, not in the profile: ${c.fits.flush_gap_growth?.why ?? 'device.flush_gap'}`})` : `- (${c.fits.flush_gap_note ?? 'not measured'})`],
    ...(c.fits.reruns?.length ? [['re-run', c.fits.reruns.map((r) => `${r.name} ${r.measured_us.toFixed(1)} → ${r.again_us.toFixed(1)} µs (line ${r.line_us.toFixed(1)}, kept the ${r.kept})`).join('; ')] as [string, string]] : []),
    ['fs', c.fragment.fs ? Object.entries(c.fragment.fs).map(([k, v]) => `${k} ${v}`).join(', ') : '- (not ext4 on a known block device)'],
    ['cpu', c.fragment.cpu ? Object.entries(c.fragment.cpu).map(([k, v]) => `${k} ${v}`).join(', ') : `- (${c.fits.cpu_note})`],
    ['readahead.pages', c.fragment.readahead ? String(c.fragment.readahead.pages) : '- (no read_ahead_kb in sysfs)'],
    ['journal check', `append + fdatasync measured ${f1(j.measured_mean_us)} µs, model ${f1(j.predicted_mean_us)} µs${j.measured_p50_us != null && j.predicted_p50_us !== undefined ? ` (medians ${f1(j.measured_p50_us)} and ${f1(j.predicted_p50_us)} µs)` : ''}${j.jbd2_journal === false ? ' (this file system runs no jbd2 journal)' : ''}${extentsText(j.file_extents)}`],
    ['page-in check', `${p.misses} of ${p.faults} faults missed (${f1(p.pages_per_miss)} pages each, window ${p.readahead_pages ?? '-'}): miss ${f1(p.miss_mean_us)} µs (model ${f1(p.predicted_miss_us)}), hit ${f1(p.hit_p50_us)} µs`],
    ...(c.checks.pagein_probe ? [['probe check', `the page-in probe's cold read ${f1(c.checks.pagein_probe.measured_read_us)} µs, model ${f1(c.checks.pagein_probe.simulated_read_us)} µs${c.checks.pagein_probe.window_pages !== null ? `; its first ${c.checks.pagein_probe.window_pages} pages ${f1(c.checks.pagein_probe.measured_window_us)} µs, model ${f1(c.checks.pagein_probe.simulated_window_us)} µs` : ''}`] as [string, string]] : []),
    ...(c.warnings ?? []).map((x): [string, string] => ['warning', x]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  // the files last: the profile as the other commands take it, and the report beside it
  const details = resolve(dirname(resolve(fragment)), c.files.calibration);
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), `profile: ${resolve(fragment)} (syncsim run --config FILE, or device.profile: FILE under other keys)`, `details: ${details} (every step, fit and check)`].join('\n');
}

/** Where `device.read_bandwidth_mbps` came from, in the words of the report's `read` line. */
function readSource(c: Calibration): string {
  const from = c.fitted['device.read_bandwidth_mbps']?.from ?? '';
  const probe = c.fits.pagein_probe;
  if (from.startsWith('pagein-probe:') && probe && 'mbps' in probe) {
    const what = probe.later_mbps !== undefined ? `the page-in probe's later windows, median of ${probe.reads} cold reads (whole reads ${probe.mbps})` : `the page-in probe's median ${probe.mbps} of ${probe.reads} cold reads`;
    return `page cache: ${what}; fio's pagein step ${pageinRate(c.steps)?.mbps ?? '-'}; O_DIRECT ${c.fits.read.bandwidth_mbps}`;
  }
  if (from.startsWith('pagein:')) return `page cache, the pagein step; O_DIRECT ${c.fits.read.bandwidth_mbps}`;
  return 'O_DIRECT';
}
