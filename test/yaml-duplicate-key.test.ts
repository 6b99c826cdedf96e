/**
 * A configuration or experiment file that gives a key twice is refused naming the key, dotted,
 * at the line of its second use, in a `.json` file as in a `.yaml` one: the parser's own words,
 * `not valid YAML: Map keys must be unique`, named neither the key nor, for JSON, the language.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYamlDoc, YamlError } from '../scripts/yaml-file.ts';
import { syncsimHere } from './cli-here.ts';

/** A new directory (name starting `prefix`) holding t.csv, a trace of one map row. */
function mapOnlyTrace(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(d, 't.csv'), 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n');
  return d;
}

const problem = (text: string): string => {
  try {
    parseYamlDoc(text);
  } catch (e) {
    if (e instanceof YamlError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('a key given twice', () => {
  it('is named by its dotted path at its second line', () => {
    expect(problem('device:\n  channels: 4\n  channels: 8\n')).toBe("3: key 'device.channels' is given twice (a mapping may give each key once)");
    expect(problem('{"device": {"channels": 4, "channels": 8}}')).toBe("1: key 'device.channels' is given twice (a mapping may give each key once)");
    expect(problem('seed: 1\npersonality: linux\nseed: 2\n')).toBe("3: key 'seed' is given twice (a mapping may give each key once)");
    // other errors keep the parser's words
    expect(problem('a: [1, 2\n')).toMatch(/^\d+: not valid YAML: /);
  });

  it('syncsim run --config names the file, the line and the key, exit 2, nothing written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-dup-key-'));
    writeFileSync(join(d, 't.csv'), 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n');
    writeFileSync(join(d, 'c.json'), '{\n  "device": {"channels": 4,\n    "channels": 8}\n}\n');
    const r = await syncsimHere(['run', 't.csv', '--config', 'c.json', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: c.json:3: key 'device.channels' is given twice (a mapping may give each key once)\n" });
  });

  it("a --set value that gives a key twice is refused naming it, not taken as text ('must be a mapping of keys')", async () => {
    const d = mapOnlyTrace('syncsim-dup-set-');
    const r = await syncsimHere(['run', 't.csv', '--set', 'device={channels: 4, channels: 8}', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: --set device={channels: 4, channels: 8}: key 'device.channels': given twice in one mapping of the value (a mapping may give each key once)\n" });
    expect(readdirSync(d)).toEqual(['t.csv']);
    // a value that is not YAML is still text
    const text = await syncsimHere(['run', 't.csv', '--set', 'device.profile=[nvme', '--out', 'o', '--no-cache'], d);
    expect(text.stderr).toMatch(/^syncsim: config: key 'device\.profile': .*\(got '\[nvme'\)/);
  });

  it("a --set value that is YAML but breaks a rule (a merge key of a number) is refused with that rule, not taken as text", async () => {
    const d = mapOnlyTrace('syncsim-merge-set-');
    const r = await syncsimHere(['run', 't.csv', '--set', 'device={<<: 5}', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: --set device={<<: 5}: key 'device': a merge key '<<' takes a mapping, an alias of one (*a) or a list of them ([*a, *b])\n" });
    expect(readdirSync(d)).toEqual(['t.csv']);
    // written over two lines, the rule alone (the line of the value's own text, 2, is no line of a file)
    const two = await syncsimHere(['run', 't.csv', '--set', 'device={channels: 2,\n  <<: 5}', '--out', 'o', '--no-cache'], d);
    expect(two.stderr).toBe("syncsim: config: --set device={channels: 2,\\n  <<: 5}: key 'device': a merge key '<<' takes a mapping, an alias of one (*a) or a list of them ([*a, *b])\n");
    // a merge of a mapping is fine
    const ok = await syncsimHere(['run', 't.csv', '--set', 'device={<<: {channels: 2}}', '--out', 'o', '--no-cache', '-q'], d);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});
