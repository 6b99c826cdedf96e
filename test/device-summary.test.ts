/**
 * The device line of validation.json's `calibration` (scripts/validate/device-summary.ts): what a
 * reader of a validation sees of the profile it replayed with.
 */
import { describe, expect, it } from 'vitest';
import { deviceSummary } from '../scripts/validate/device-summary.ts';
import { resolveConfig } from '../sim/config.ts';

describe('deviceSummary', () => {
  it('names the FLUSH\'s growth with the time since the previous one when the profile has a device.flush_gap table, and not otherwise', () => {
    const base = { device: { profile: 'sata-ssd' } };
    expect(deviceSummary(resolveConfig(base)).device).not.toMatch(/time since the previous one/);
    const gapped = resolveConfig({ device: { profile: 'sata-ssd', flush_gap: { gap_us: [67, 575, 4096], factor: [1, 1.145, 2.332] } } });
    expect(deviceSummary(gapped).device).toMatch(/destage continuous, FLUSH × 1–2\.332 with the time since the previous one\)/);
  });
});
