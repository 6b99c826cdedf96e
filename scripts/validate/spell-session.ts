/**
 * The host's slow spells of one `npm run validate` session, as its FLUSH
 * probes met them (spell-fit.ts): reported in `fits.flush_level_session.spells`
 * with the `device.host_spell_*` keys that would model them
 * (sim/device/host-spells.ts), which the session profile does not set.
 *
 * Why not set: replaying the validation of 18:50 UTC on 2026-12-05 over six
 * seeds, the keys fitted there (0.406 spells a second of 29.21 ms, × 4.901,
 * by the first detection rule, 10 ms windows) raised the summed mean
 * demerit of its ten jobs from 414.2 to 497.5 % (both with the FLUSH table
 * and `host_cv` fitted outside the spells, as that trial did): a job of a
 * fraction of a second meets a spell in some seeds and not in others, and
 * the measured runs of three of the jobs met none where the simulated ones
 * did (docs/validation.md, "What is still off", "The host's slow spells, measured in
 * the session").
 */
import type { SessionProbe } from './flush-level.ts';
import { fitSpells, SPELL_JOIN_US, SPELL_MIN_SLOW, SPELL_SKIP_US, SPELL_THRESHOLD, type SpellFit } from './spell-fit.ts';

/** The session's spells, with the keys that would model them and the rule that found them. */
export interface SessionSpells extends SpellFit {
  keys: { host_spell_rate_hz: number; host_spell_ms: number; host_spell_factor: number };
  rule: string;
}

/** The rule a spell is found by, in words. */
export const SPELL_RULE = `runs of at least ${SPELL_MIN_SLOW} fdatasyncs over ${SPELL_THRESHOLD} times the probe's median, at most one faster fdatasync between two of them, from the first one's entry to the last one's end, runs less than ${SPELL_JOIN_US / 1000} ms apart one spell, its factor its mean fdatasync over the probe's median, the first ${SPELL_SKIP_US / 1000} ms of each probe left out`;

/** The spells of `probes` pooled (pure); null when too few were timed in order ({@link fitSpells}). */
export function sessionSpells(probes: readonly SessionProbe[]): SessionSpells | null {
  const fit = fitSpells(probes.flatMap((p) => (p.spells ? [p.spells] : [])));
  if (!fit) return null;
  const on = fit.spells > 0 && fit.rate_hz > 0 && fit.mean_ms > 0;
  return {
    ...fit,
    keys: { host_spell_rate_hz: on ? fit.rate_hz : 0, host_spell_ms: on ? fit.mean_ms : 0, host_spell_factor: on ? Math.max(1, fit.factor) : 1 },
    rule: SPELL_RULE,
  };
}
