/**
 * The stamp of a calibration's profile (traces/text-stamp.ts): `syncsim
 * calibrate -o FILE` replaces a profile it wrote only while that profile is
 * as written; one a user has edited since is refused (exit 2) and left as it
 * was. A profile written before stamps (no stamp line) is replaced as before.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { stampState, stampText } from '../traces/text-stamp.ts';
import { checkCalibrationTargets, type Calibration } from '../scripts/validate/calibration.ts';
import { writeCalibration } from '../scripts/validate/flush-level.ts';
import { OutDirError } from '../traces/out-dir.ts';
import { syncsimHere } from './cli-here.ts';
import { snapshot, workdir } from './out-fixtures.ts';

/** A profile as an older calibrate wrote it (no stamp line). */
const OLD = '# syncsim calibrate (syncsim 0.1.0, fio-3.33): /data (ext4, /dev/vda), --quick, 2026-12-06T10:00:00.000Z\n# A device profile: use it with --config FILE or device.profile: FILE.\ndevice:\n  profile: sata-ssd\n  flush_us: 84.72\n';
/** Its report beside it, as calibrate's check recognises one. */
const REPORT = '{\n  "syncsim_version": "0.1.0"\n}\n';

describe('stampText and stampState', () => {
  it('a stamped text is intact; an edit anywhere else, a lost line ending or a CRLF file is an edit; no stamp line is unstamped', () => {
    const s = stampText(OLD);
    const lines = s.split('\n');
    expect(lines[0]).toBe(`${OLD.split('\n')[0]}; stamped`);
    expect(lines[1]).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64} \(of every other line/);
    expect(lines.slice(2).join('\n')).toBe(OLD.split('\n').slice(1).join('\n'));
    expect(stampState(s)).toBe('intact');
    expect(stampState(s.replace('flush_us: 84.72', 'flush_us: 90'))).toBe('edited');
    expect(stampState(s + '# my note\n')).toBe('edited');
    expect(stampState(s.slice(0, -1))).toBe('edited');
    expect(stampState(s.replace(/\n/g, '\r\n'))).toBe('edited');
    expect(stampState(OLD)).toBe('unstamped');
    // the stamp line deleted (with or without an edit): the first line still says there was one
    const noStamp = s.split('\n').filter((_l, i) => i !== 1).join('\n');
    expect(stampState(noStamp)).toBe('edited');
    expect(stampState(noStamp.replace('flush_us: 84.72', 'flush_us: 90'))).toBe('edited');
    // the stamp is a YAML comment: the profile reads the same
    expect(parseYaml(s)).toEqual(parseYaml(OLD));
  });

  it('property: any multi-line text stamped is intact, and stays so only while no character of its other lines changes', () => {
    const multiLine = fc.tuple(fc.string({ minLength: 0, maxLength: 40 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }))
      .filter(([first]) => !first.includes('\n'))
      .map(([first, rest]) => [first, ...rest].join('\n') + '\n');
    fc.assert(fc.property(multiLine, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (text, at, c) => {
      const s = stampText(text);
      expect(stampState(s)).toBe('intact');
      // one character of the text (outside the stamp line) replaced by another
      const nl = s.indexOf('\n'), stampEnd = s.indexOf('\n', nl + 1) + 1;
      const positions = [...Array(s.length).keys()].filter((i) => i <= nl || i >= stampEnd);
      const i = positions[at % positions.length]!;
      if (s[i] === c) return;
      expect(stampState(s.slice(0, i) + c + s.slice(i + 1))).toBe('edited');
    }), { numRuns: 300 });
  });

  it('an edit of the stamp line itself is an edit too (a note on it, its digest cut short, in capitals, the line indented)', () => {
    const s = stampText(OLD).replace('flush_us: 84.72', 'flush_us: 90');
    const stamp = /^# syncsim stamp [^\n]*/m;
    expect(stampState(stampText(OLD).replace(stamp, (l) => `${l} -- tuned by hand, do not recalibrate`))).toBe('edited');
    expect(stampState(s.replace(/sha256:[0-9a-f]/, 'sha256:'))).toBe('edited');
    expect(stampState(s.replace(/sha256:([0-9a-f]{64})/, (_m, h: string) => `sha256:${h.toUpperCase()}`))).toBe('edited');
    expect(stampState(s.replace(stamp, (l) => `  ${l}`))).toBe('edited');
  });
});

describe('calibrate -o replaces only a profile it wrote that nobody edited', () => {
  const cal = { syncsim_version: '0.1.0', fragment: { device: { flush_us: 84.72 } }, fits: {}, steps: [], warnings: [], fitted: {}, dir: '/data', filesystem: 'ext4', fio_version: 'fio-3.33', quick: true } as unknown as Calibration;

  it('writeCalibration stamps the profile; checkCalibrationTargets accepts it as written, and an old unstamped one', () => {
    const d = workdir();
    const out = join(d, 'dev.yaml');
    writeCalibration(cal, out);
    const text = readFileSync(out, 'utf8');
    expect(stampState(text)).toBe('intact');
    expect(() => checkCalibrationTargets(out)).not.toThrow();
    writeFileSync(out, OLD);
    expect(() => checkCalibrationTargets(out)).not.toThrow();
  });

  it('an edited profile is refused naming why, before anything is measured; both files left as they were (exit 2)', async () => {
    const d = workdir();
    const out = join(d, 'dev.yaml');
    writeCalibration(cal, out);
    writeFileSync(out, readFileSync(out, 'utf8').replace('flush_us: 84.72', 'flush_us: 100 # mine'));
    expect(() => checkCalibrationTargets(out)).toThrow(OutDirError);
    expect(() => checkCalibrationTargets(out)).toThrow(/has been edited since/);
    const before = snapshot(d);
    const r = await syncsimHere(['calibrate', '-o', 'dev.yaml', '--dir', d], d);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`syncsim: --out dev.yaml: it exists and was written by syncsim calibrate and has been edited since (its stamp line is gone or no longer matches the other lines), so it holds changes of yours; choose a new file, or move it away first\n`);
    expect(snapshot(d)).toEqual(before);
  });

  it('the report beside an edited profile does not make it acceptable, nor a profile of someone else with a stamp line', () => {
    const d = workdir();
    const out = join(d, 'dev.yaml');
    writeFileSync(join(d, 'dev.calibration.json'), REPORT);
    writeFileSync(out, stampText(OLD).replace('sata-ssd', 'nvme'));
    expect(() => checkCalibrationTargets(out)).toThrow(/has been edited since/);
    // a stamp that matches, on a file whose first line is not calibrate's: not ours
    writeFileSync(out, stampText('# my profile\ndevice:\n  flush_us: 1\n'));
    expect(() => checkCalibrationTargets(out)).toThrow(/exists and syncsim did not write it/);
  });

  it('writeCalibration replaces its own profile (the session refit), not one edited since; both files left as they were', () => {
    const d = workdir();
    const out = join(d, 'dev.yaml');
    writeCalibration(cal, out);
    writeCalibration({ ...cal, fragment: { device: { flush_us: 99.5 } } } as unknown as Calibration, out);
    expect(readFileSync(out, 'utf8')).toMatch(/^ {2}flush_us: 99\.5$/m);
    writeFileSync(out, readFileSync(out, 'utf8').replace('flush_us: 99.5', 'flush_us: 100 # mine'));
    const before = snapshot(d);
    expect(() => writeCalibration(cal, out)).toThrow(/has been edited since/);
    expect(snapshot(d)).toEqual(before);
  });
});
