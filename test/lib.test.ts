/**
 * syncsim as a library (scripts/lib.ts): replay of rows given in code and of files, generate,
 * importTrace, sweep and report, each checked against the command that does the same or
 * against values derived by hand.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, importTrace, replay, report, sweep, type Row } from '../scripts/lib.ts';
import { syncsimHere } from './cli-here.ts';
import { dataRowsOf } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO_CSV = join(ROOT, 'traces', 'examples', 'demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-lib-'));
const A = 0x10000000;

/** Map 64 KiB, store 2 pages, msync SYNC the mapping, unmap. */
const TWO_PAGES: Row[] = [
  { tNs: 0, task: 'db', op: 'map', addr: A, len: 65536, object: 'data' },
  { tNs: 10_000, task: 'db', op: 'write', addr: A, len: 8192 },
  { tNs: 1_000_000, task: 'db', op: 'msync', addr: A, len: 65536, flags: 'MS_SYNC' },
  { tNs: 2_000_000, task: 'db', op: 'unmap', addr: A, len: 65536 },
];

/** Everything of summary.json but what names the trace and the provenance of the run. */
const model = (s: Record<string, unknown>) => {
  const { provenance: _p, trace: _t, ...rest } = s;
  return rest;
};

describe('replay', () => {
  it('replays rows given in an array: one msync writing the 2 stored pages', async () => {
    const s = await replay(TWO_PAGES);
    expect(s.trace).toEqual({ path: 'rows', rows: 4 });
    expect(s.ops).toEqual({ map: 1, unmap: 1, write: 1, read: 0, msync: 1, wire: 0, unwire: 0 });
    expect(s.sync.count).toBe(1);
    expect(s.sync.ok).toBe(1);
    expect(s.writeback.by_cause.msync).toBe(2 * 4096);
  });

  it('takes an async iterable the same as an array', async () => {
    async function* slowly() {
      for (const r of TWO_PAGES) yield await Promise.resolve(r);
    }
    expect(model(await replay(slowly()) as never)).toEqual(model(await replay(TWO_PAGES) as never));
  });

  it('replays generated rows as the CLI replays the trace file gen writes, x_txn included', async () => {
    const dir = tmp();
    const file = join(dir, 'wal.csv');
    const gen = await syncsimHere(['gen', 'wal-append', '--seed', '9', '--set', 'duration_s=0.2', '--set', 'group_commit=4', '-o', file]);
    expect(gen.code).toBe(0);
    const run = await syncsimHere(['run', file, '--json', '--no-cache', '--out', join(dir, 'out')]);
    expect(run.code).toBe(0);
    const cli = JSON.parse(run.stdout);
    const lib = await replay(generate('wal-append', { params: { duration_s: 0.2, group_commit: 4 }, seed: 9 }), { name: 'wal' });
    expect(cli.txn.count).toBeGreaterThan(0);
    expect(model(lib as never)).toEqual(model(cli));
    expect(lib.trace).toEqual({ path: 'wal', rows: dataRowsOf(file) });
    // the rows' hash is that of the file without its comment lines (the magic line stays)
    const text = readFileSync(file, 'utf8').split('\n').filter((l, i) => i === 0 || !l.startsWith('#')).join('\n');
    expect(lib.provenance?.trace_sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('replays a trace file with a config object, --set-like keys and a seed, leaving the object as it was', async () => {
    const config = { personality: 'linux', device: { profile: 'queue' } };
    const s = await replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { config, set: { 'device.channels': 3 }, seed: 7 });
    expect(s.config.personality).toBe('linux');
    expect(s.config.device.channels).toBe(3);
    expect(s.config.seed).toBe(7);
    expect(config).toEqual({ personality: 'linux', device: { profile: 'queue' } });
  });

  it('refuses a bad row naming its line as in the trace file it would make', async () => {
    const back = [TWO_PAGES[0], { ...TWO_PAGES[1], tNs: 5 }, { ...TWO_PAGES[1], tNs: 4 }];
    await expect(replay(back)).rejects.toThrow("rows:5: key tNs: time goes backwards (previous 5 ns) (got '4')");
    await expect(replay([TWO_PAGES[0], { ...TWO_PAGES[1], object: 'x' }], { name: 'mine' })).rejects.toThrow(/^mine:4: key object: object is only valid for op 'map'/);
    await expect(replay([{ ...TWO_PAGES[2], flags: 'SYNC|NOPE' }])).rejects.toThrow("rows:3: key flags: unknown flag 'NOPE' (got 'SYNC|NOPE')");
  });

  it('reads flag names as the trace reader does, and refuses what is not a row, as errors of the row\'s line (not TypeErrors)', async () => {
    const at = (flags: unknown) => replay([TWO_PAGES[0]!, { ...TWO_PAGES[2]!, flags } as Row]);
    // what a trace file refuses in its flags column
    await expect(at('SYNC|')).rejects.toThrow("rows:4: key flags: empty flag name (got 'SYNC|')");
    await expect(at('|')).rejects.toThrow("rows:4: key flags: empty flag name (got '|')");
    await expect(at(' SYNC')).rejects.toThrow("rows:4: key flags: unknown flag ' SYNC' (got ' SYNC')");
    await expect(at('SYNC||ASYNC')).rejects.toThrow("rows:4: key flags: empty flag name (got 'SYNC||ASYNC')");
    // not names, not bits
    await expect(at(['SYNC'])).rejects.toThrow('rows:4: key flags: expected flag names joined by | or a bit set (a number) (got \'["SYNC"]\')');
    await expect(at(3.5)).rejects.toThrow(/^rows:4: key flags: bad trace flags 3\.5: expected a bit set \(a whole number >= 0\)/);
    // not a row at all, and a BigInt address
    await expect(replay([null as unknown as Row])).rejects.toThrow("rows:3: expected a row: an object { tNs, task, op, addr, len, flags?, object?, offset? } (got 'null')");
    await expect(replay([{ tNs: 1000, task: 'a', op: 'write', addr: 4096n as unknown as number, len: 4096 }])).rejects.toThrow(/^rows:3: key addr: bad trace address 4096: expected a number, not a bigint \(got '.*"addr":"4096n"/);
    // what is wrong, said as such: a time as a string, an address past 2^53, an extra key that is no x_ column
    await expect(replay([{ tNs: '0' as unknown as number, task: 'a', op: 'write', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key tNs: trace time must be a non-negative integer of ns, got a string \("0"\)/);
    await expect(replay([{ tNs: 10n as unknown as number, task: 'a', op: 'write', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key tNs: trace time must be a non-negative integer of ns, got a bigint \(10n\)/);
    await expect(replay([{ tNs: {} as unknown as number, task: 'a', op: 'write', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key tNs: trace time must be a non-negative integer of ns, got an object/);
    await expect(replay([{ tNs: 0, task: 'a', op: 'write', addr: 2 ** 60, len: 4096 }])).rejects.toThrow(/^rows:3: key addr: bad trace address 1152921504606847000: expected a whole number from 0 to 2\^53 - 1/);
    await expect(replay([{ ...TWO_PAGES[0]!, extra: { txn: '1' } }])).rejects.toThrow(/^rows:3: extra trace column 'txn' must start with 'x_'/);
    // a task or object that is no string (a number, null) is refused, not named by its text ('5', 'null'); an offset as a string is said as such
    await expect(replay([{ ...TWO_PAGES[0]!, task: 5 as unknown as string }])).rejects.toThrow(/^rows:3: key task: bad trace task 5: expected a string \(a name\), not a number/);
    await expect(replay([{ ...TWO_PAGES[0]!, task: null as unknown as string }])).rejects.toThrow(/^rows:3: key task: bad trace task null: expected a string \(a name\), not null/);
    await expect(replay([{ ...TWO_PAGES[0]!, object: 7 as unknown as string }])).rejects.toThrow(/^rows:3: key object: bad trace object 7: expected a string \(a name\), not a number/);
    await expect(replay([{ ...TWO_PAGES[0]!, offset: '0' as unknown as number }])).rejects.toThrow(/^rows:3: key offset: bad trace offset 0: expected a number, not a string/);
    // each row field names its column
    await expect(replay([{ tNs: -1, task: 'a', op: 'write', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key tNs: trace time must be/);
    await expect(replay([{ tNs: 1, task: 'a b', op: 'write', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key task: bad trace task 'a b'/);
    await expect(replay([{ tNs: 1, task: 'a', op: 'wrote' as Row['op'], addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key op: unknown trace op 'wrote'/);
    await expect(replay([{ tNs: 1, task: 'a', op: 'write', addr: 0, len: -1 }])).rejects.toThrow(/^rows:3: key len: bad trace length -1/);
    await expect(replay([{ tNs: 1, task: 'a', op: 'map', addr: 0, len: 4096 }])).rejects.toThrow(/^rows:3: key object: a 'map' trace row needs an object/);
    await expect(replay([{ tNs: 1, task: 'a', op: 'map', addr: 0, len: 4096, object: 'f', offset: -4096 }])).rejects.toThrow(/^rows:3: key offset: bad trace offset -4096/);
    // a key a row does not have is refused, not ignored: a misspelt flags, an x_ column outside extra
    await expect(replay([{ ...TWO_PAGES[0]!, flag: 'SYNC' } as Row])).rejects.toThrow(/^rows:3: unknown row key 'flag' \(a row has tNs, task, op, addr, len, flags, object, offset, extra\)/);
    await expect(replay([{ ...TWO_PAGES[0]!, x_txn: '1' } as Row])).rejects.toThrow(/^rows:3: an x_ column is given in extra \(extra: \{ x_txn: \.\.\. \}\), not on the row/);
    // an offset on a row that is not a map, as the reader refuses it
    await expect(replay([TWO_PAGES[0]!, { ...TWO_PAGES[1]!, offset: 4096 }])).rejects.toThrow(/^rows:4: key offset: offset is only valid for op 'map'/);
    // an x_ value of a column the first row did not name would be dropped unread: refused, saying how to name it
    await expect(replay([TWO_PAGES[0]!, { ...TWO_PAGES[1]!, extra: { x_txn: '1' } }])).rejects.toThrow(/^rows:4: extra column 'x_txn' is not among the rows' x_ columns \(no x_ column, from the first row\): give the first row every x_ column/);
    // named by the first row (empty where it has none), or by the source: read
    const named = await replay([{ ...TWO_PAGES[0]!, extra: { x_txn: '' } }, { ...TWO_PAGES[1]!, extra: { x_txn: '1' } }, { ...TWO_PAGES[2]!, extra: { x_txn: '*' } }]);
    expect(named.txn.count).toBe(1);
    const source = Object.assign([TWO_PAGES[0]!, { ...TWO_PAGES[1]!, extra: { x_txn: '1' } }, { ...TWO_PAGES[2]!, extra: { x_txn: '*' } }], { extraCols: ['x_txn'] });
    expect((await replay(source)).txn.count).toBe(1);
    // an empty flags string is no flags, as an empty field is
    expect((await replay([TWO_PAGES[0]!, { ...TWO_PAGES[1]!, flags: '' }])).trace.rows).toBe(2);
  });

  it('refuses a bad configuration key as run does', async () => {
    await expect(replay(TWO_PAGES, { set: { 'device.channels': 0 } })).rejects.toThrow(/device\.channels/);
  });

  it('refuses a key given twice, as the command\'s --set: seed with set\'s seed, or set keys of which one holds the other', async () => {
    await expect(replay(DEMO_CSV, { seed: 3, set: { seed: 4 } })).rejects.toThrow(new RangeError("replay: the seed is given twice, by seed and by set's 'seed': give it once"));
    await expect(replay(DEMO_CSV, { set: { device: { profile: 'hdd' }, 'device.profile': 'nvme' } })).rejects.toThrow(new RangeError("replay: set gives 'device' and 'device.profile', which lies inside it: give one"));
    await expect(replay(DEMO_CSV, { set: { 'device.profile': 'nvme', device: { channels: 2 } } })).rejects.toThrow(new RangeError("replay: set gives 'device.profile' and 'device', which holds it: give one"));
    // siblings and names sharing a prefix are different keys
    const s = await replay(DEMO_CSV, { seed: 2, set: { 'device.profile': 'hdd', 'device.channels': 2 } });
    expect(s.config.seed).toBe(2);
    expect(s.config.device.channels).toBe(2);
  });

  it('refuses an option it does not take (a misspelt one would otherwise be ignored), as generate and importTrace do', async () => {
    await expect(replay(TWO_PAGES, { confg: { personality: 'linux' }, Seed: 9 } as never)).rejects.toThrow(
      new TypeError("replay: unknown options 'confg', 'Seed' (it takes config, set, seed, out, name, ci, onStretched, results)"));
    expect(() => generate('wal-append', { sed: 2 } as never)).toThrow(new TypeError("generate: unknown option 'sed' (it takes params, seed)"));
    const msr = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
    expect(() => importTrace('msr', msr, { bogusOpt: 1 } as never)).toThrow(/importTrace: unknown option 'bogusOpt'/);
    // sweep and report too, before any work: a misspelt dryRun must not run the whole sweep
    const d = mkdtempSync(join(tmpdir(), 'syncsim-lib-opts-'));
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { gen: seq-writer, set: { duration_s: 0.01 } }\n');
    await expect(sweep(join(d, 'e.yaml'), { dryrun: true, out: join(d, 'sw') } as never)).rejects.toThrow(/^sweep: unknown option 'dryrun' \(it takes out, jobs, shard, resume, dryRun, /);
    expect(readdirSync(d)).toEqual(['e.yaml']);
    await expect(report(d, { format: ['svg'] } as never)).rejects.toThrow("report: unknown option 'format' (it takes out, formats, theme, width, charts, configs)");
    await expect(report(d, { formats: 'svg' } as never)).rejects.toThrow(new TypeError('report: formats must be a list of names (got "svg")'));
    await expect(report(d, { configs: 'linux, 2000' } as never)).rejects.toThrow(new TypeError('report: configs must be a list of names (got "linux, 2000")'));
    // a ci that is not { reps }, a set that is not an object of keys
    await expect(replay(TWO_PAGES, { ci: true } as never)).rejects.toThrow(new TypeError('replay: ci must be an object, { reps } or {} (got true)'));
    await expect(replay(TWO_PAGES, { ci: { rep: 10 } } as never)).rejects.toThrow(/^replay: ci: unknown option 'rep' \(it takes reps\)/);
    await expect(replay(TWO_PAGES, { set: 'device.channels=4' } as never)).rejects.toThrow(/^replay: set must be an object of dotted keys and values/);
    await expect(replay(TWO_PAGES, { set: new Map([['seed', 2]]) } as never)).rejects.toThrow(/^replay: set must be an object of dotted keys and values/);
    await expect(replay(TWO_PAGES, { ci: [] } as never)).rejects.toThrow(new TypeError('replay: ci must be an object, { reps } or {} (got [])'));
  });

  it('replays the rows of generate and importTrace collected into an array: each row carries every x_ column', async () => {
    const rows = [...generate('wal-append', { params: { duration_s: 0.2 } })];
    expect(rows[0]!.op).toBe('map');
    expect(rows[0]!.extra).toEqual({ x_txn: '' });
    const s = await replay(rows);
    expect(s.txn.count).toBeGreaterThan(0);
    expect(s.txn.count).toBe((await replay(generate('wal-append', { params: { duration_s: 0.2 } }))).txn.count);
    expect((await replay([...generate('db-checkpoint', { params: { duration_s: 0.2 } })])).txn.pending_at_end).toBeGreaterThan(0);
    const msr = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
    const imported: Row[] = [];
    for await (const r of importTrace('msr', msr, { syncEveryWrites: 2 })) imported.push(r);
    expect((await replay(imported)).trace.rows).toBe(imported.length);
  });

  it('takes top-level dotted keys in a config object, as in a config file', async () => {
    const s = await replay(TWO_PAGES, { config: { 'device.channels': 4, personality: 'linux' } });
    expect([s.config.device.channels, s.config.personality]).toEqual([4, 'linux']);
    await expect(replay(TWO_PAGES, { config: { 'device.channels': 4, device: { channels: 2 } } })).rejects.toThrow("config: key 'device.channels': is given twice in the configuration (as a dotted key and inside its group)");
    // a prototype key beside a dotted one is refused, as it is alone
    await expect(replay(TWO_PAGES, { config: JSON.parse('{"__proto__": {"device": {"channels": 8}}, "memory.pages": 1000}') })).rejects.toThrow(/__proto__.*not allowed as a key name/);
  });
});

describe('generate', () => {
  it("gives the preset's rows, its x_ columns and the header comments gen writes", async () => {
    const g = generate('wal-append', { params: { duration_s: 0.2, group_commit: 4 }, seed: 9 });
    expect(g.extraCols).toEqual(['x_txn']);
    expect(g.comments[0]).toBe('generated by syncsim gen wal-append --seed 9 --set duration_s=0.2 --set group_commit=4');
    const rows = [...g];
    expect(rows[0]).toMatchObject({ tNs: 0, task: 'txn0', op: 'map', addr: A, len: 67108864, object: 'wal.log' });
    expect([...g]).toEqual(rows);
  });

  it('refuses a bad parameter at once, naming the key', () => {
    expect(() => generate('wal-append', { params: { group_commit: -1 } })).toThrow(/group_commit/);
  });
});

describe('importTrace', () => {
  it('streams the rows syncsim import writes', async () => {
    const dir = tmp();
    const msr = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
    const out = join(dir, 'msr.csv');
    expect((await syncsimHere(['import', '--from', 'msr', msr, '-o', out, '--sync-every-writes', '2'])).code).toBe(0);
    const rows: Row[] = [];
    for await (const r of importTrace('msr', msr, { syncEveryWrites: 2 })) rows.push(r);
    expect(rows.length).toBe(dataRowsOf(out));
    const s = await replay(importTrace('msr', msr, { syncEveryWrites: 2 }));
    expect(s.trace.rows).toBe(rows.length);
    expect(s.sync.count).toBe(rows.filter((r) => r.op === 'msync').length);
  });

  it('gives, after a pass, the counts syncsim import prints (rows by op, the importer\'s counters), reset by each pass', async () => {
    const dir = tmp();
    const msr = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
    const cmd = await syncsimHere(['import', '--from', 'msr', msr, '-o', join(dir, 'o.csv'), '--sync-every-writes', '2']);
    expect(cmd.code).toBe(0);
    const t = importTrace('msr', msr, { syncEveryWrites: 2 });
    expect(t.tally.rows).toBe(0);
    expect(t.warnings).toEqual([]);
    const rows: Row[] = [];
    for await (const r of t) rows.push(r);
    expect(t.tally.rows).toBe(rows.length);
    for (const op of ['map', 'write', 'read', 'msync'] as const) expect(t.tally.ops[op], op).toBe(rows.filter((r) => r.op === op).length);
    // the same counters the command printed: "...; msync_injected 3, time_clamped 0, ..."
    const printed = Object.fromEntries(/; (.*)$/m.exec(cmd.stderr)![1]!.split(', ').map((kv) => { const [k, v] = kv.split(' '); return [k, Number(v)]; }));
    expect(t.tally.stats).toEqual(printed);
    expect(t.tally.stats.msync_injected).toBe(t.tally.ops.msync);
    // a second pass counts afresh, not on top of the first
    let again = 0;
    for await (const _ of t) again++;
    expect(again).toBe(rows.length);
    expect(t.tally.rows).toBe(rows.length);
    // a pass stopped early counts the rows it handed out, not the rest of the importer's batch
    let given = 0;
    for await (const r of t) {
      given++;
      if (r.op === 'write') break;
    }
    expect(given).toBeLessThan(rows.length);
    expect(t.tally.rows).toBe(given);
    expect(t.tally.ops.write).toBe(1);
  });

  it("warns, as the command does, of an strace capture's msyncs with no stores, naming the library's option", async () => {
    const d = tmp();
    const st = join(d, 't.strace');
    writeFileSync(st, [
      '100 1.000000 openat(AT_FDCWD, "/data/f", O_RDWR) = 3 <0.000010>',
      '100 1.000100 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>',
      '100 1.000200 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000500>',
      '100 1.001000 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.002100>',
      '',
    ].join('\n'));
    const bare = importTrace('strace', st);
    expect(bare.warnings).toEqual([]); // no pass has ended yet
    for await (const _ of bare);
    expect(bare.tally.ops.msync).toBe(2);
    expect(bare.warnings).toHaveLength(1);
    expect(bare.warnings[0]).toMatch(/^2 msyncs but no stores: strace cannot see stores .* Give assumeDirty \('pages=N'/);
    // a later pass stopped early leaves the warnings of the last pass that ended
    for await (const _ of bare) break;
    expect(bare.tally.rows).toBe(1);
    expect(bare.warnings).toHaveLength(1);
    const dirty = importTrace('strace', st, { assumeDirty: 'pages=2' });
    for await (const _ of dirty);
    expect(dirty.tally.ops.write).toBeGreaterThan(0);
    expect(dirty.warnings).toEqual([]);
  });

  it('refuses an unknown format naming the known ones', () => {
    expect(() => importTrace('nope', 'x')).toThrow(/unknown import format 'nope' \(expected one of .*msr/);
  });

  it('refuses, before any row, the options syncsim import refuses, naming the key', () => {
    const msr = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
    const refused: [Record<string, unknown> | null, RegExp][] = [
      [{ syncEveryWrites: 0 }, /^syncEveryWrites must be a positive integer \(got 0\)$/],
      [{ syncEveryWrites: -1 }, /^syncEveryWrites must be a positive integer/],
      [{ syncEveryUs: 0 }, /^syncEveryUs must be a positive number of microseconds, at least 0\.001/],
      [{ syncEveryWrites: 2, syncEveryUs: 100 }, /^syncEveryWrites and syncEveryUs are exclusive: give one$/],
      [{ syncFlags: 999 }, /^syncFlags must be msync flags \(SYNC, ASYNC, INVALIDATE\)/],
      [{ syncFlags: 'SYNC|' }, /^importTrace: syncFlags: empty flag name$/],
      [{ pageSize: 0 }, /^pageSize must be a power of two from 512 to 1 GiB \(got 0\)$/],
      [{ pageSize: 3000 }, /^pageSize must be a power of two/],
      [{ assumeDirty: 'bogus' }, /^assumeDirty is for strace, which cannot see stores/],
      [{ fileBytes: 4096 }, /^fileBytes is for fio-iolog/],
      [null, /^importTrace: options must be an object \(got null\)$/],
    ];
    for (const [opts, why] of refused) expect(() => importTrace('msr', msr, opts as never), JSON.stringify(opts)).toThrow(why);
    // strace: its msyncs and mappings are the program's own; a mode it does not know (refused before the file is read: any file will do)
    const st = msr;
    expect(() => importTrace('strace', st, { syncEveryWrites: 2 })).toThrow(/^syncEveryWrites and syncEveryUs are for formats whose msyncs syncsim injects/);
    expect(() => importTrace('strace', st, { assumeDirty: 'bogus' })).toThrow(/^assumeDirty: unknown mode 'bogus' \(expected one of none, /);
    expect(() => importTrace('strace', st, { assumeDirty: 'measured' })).toThrow(/^assumeDirty 'measured' needs pagesForMeasured/);
    // mapFlags: an access advice only, as --advice (PRIVATE would make every msync write nothing); names as flags are read
    expect(() => importTrace('msr', msr, { mapFlags: 'PRIVATE' })).toThrow(/^mapFlags must be an access advice, RANDOM or SEQUENTIAL \(the command's --advice\), or 0 \(got \d+\)$/);
    expect(() => importTrace('msr', msr, { mapFlags: 1 << 20 })).toThrow(/^mapFlags must be an access advice/);
    expect(() => importTrace('msr', msr, { mapFlags: 'RANDOM|SEQUENTIAL' })).toThrow(/^mapFlags must be an access advice/);
    expect(() => importTrace('msr', msr, { mapFlags: 'bogus' })).toThrow(new RangeError("importTrace: mapFlags: unknown flag 'bogus'"));
    expect(() => importTrace('msr', msr, { syncFlags: 'SYNC|' })).toThrow(new RangeError('importTrace: syncFlags: empty flag name'));
    expect(importTrace('msr', msr, { mapFlags: 'SEQUENTIAL' }).extraCols).toEqual(['x_response_us']);
    // pagesForMeasured is a function; or a calibrated configuration file gives it, as --calibration does
    expect(() => importTrace('strace', st, { assumeDirty: 'measured', pagesForMeasured: 3 } as never)).toThrow(/^importTrace: pagesForMeasured must be a function/);
    const cal = join(tmp(), 'cal.yaml');
    writeFileSync(cal, 'device:\n  profile: nvme\n');
    expect(() => importTrace('strace', st, { assumeDirty: 'measured', calibration: cal })).not.toThrow();
    expect(() => importTrace('strace', st, { assumeDirty: 'measured', calibration: cal, pagesForMeasured: () => 1 })).toThrow('importTrace: calibration and pagesForMeasured: give one');
    // as --calibration: a file name, read only by assumeDirty 'measured', a missing file named as such
    for (const bad of [42, '', 0]) expect(() => importTrace('strace', st, { assumeDirty: 'measured', calibration: bad } as never), String(bad)).toThrow(/^importTrace: calibration must be the name of a calibrated configuration file/);
    expect(() => importTrace('strace', st, { calibration: cal })).toThrow("importTrace: calibration is read only by assumeDirty 'measured', of strace (got no assumeDirty)");
    expect(() => importTrace('strace', st, { assumeDirty: 'measured', calibration: join(tmp(), 'none.yaml') })).toThrow(/calibration file not found/);
  });
});

describe('sweep', () => {
  it('lists the runs of an experiment (dry run): 4 kernels x 2 disciplines x 5 seeds', async () => {
    const o = await sweep(join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml'), { dryRun: true, out: join(tmp(), 'sw') });
    expect(o.total).toBe(40);
    expect(o.ran).toBe(0);
  });
});

describe("the README's library example", () => {
  it('prints what the README says it prints (run as a user would: import from the package name)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const at = readme.indexOf('## syncsim as a library');
    const code = /```js\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    const printed = /\nprints\n\n```\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    // a project that has installed syncsim: node_modules/syncsim is this package (its compiled dist/)
    const d = tmp();
    mkdirSync(join(d, 'node_modules'));
    symlinkSync(ROOT, join(d, 'node_modules', 'syncsim'));
    writeFileSync(join(d, 'example.mjs'), code);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: d, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(printed);
  });
});

describe('library errors', () => {
  it('name file, line and column as the command does; bad options and arguments are refused, not run', async () => {
    const d = tmp();
    const f = join(d, 'ov.csv');
    writeFileSync(f, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x2000,4096,,f,0\n1,a,map,0x2000,4096,,g,0\n');
    await expect(replay(f)).rejects.toThrow(`${f}:4: column addr: map [0x2000, 0x3000) overlaps the entry [0x2000, 0x3000) of task 'a' (got '0x2000')`);
    const rows: Row[] = [
      { tNs: 0, task: 'a', op: 'map', addr: 0x2000, len: 4096, object: 'f', offset: 0 },
      { tNs: 1, task: 'a', op: 'map', addr: 0x2000, len: 4096, object: 'g', offset: 0 },
    ];
    // the second row is line 4 of the file gen would write
    await expect(replay(rows)).rejects.toThrow("rows:4: key addr: map [0x2000, 0x3000) overlaps");
    await expect(replay(join(d, 'nope.csv'))).rejects.toThrow(`trace file not found: ${join(d, 'nope.csv')}`);
    await expect(replay(null as never)).rejects.toThrow(TypeError);
    await expect(sweep(join(d, 'x.yaml'), { shard: '1/2' as never })).rejects.toThrow(/shard must be \{ index, count \}/);
    await expect(sweep(join(d, 'x.yaml'), { shard: { index: 3, count: 2 } })).rejects.toThrow(/shard must be/);
    for (const jobs of [0, -3, 1.5]) await expect(sweep(join(d, 'x.yaml'), { jobs })).rejects.toThrow(/jobs must be a positive integer/);
    for (const runTimeoutS of [0, -1, Number.NaN]) await expect(sweep(join(d, 'x.yaml'), { runTimeoutS })).rejects.toThrow(RangeError);
    for (const reps of [0, -5, 1.5]) await expect(replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { ci: { reps } })).rejects.toThrow(/ci\.reps must be a whole number from 10 to 1000000/);
    // text where a number goes is of the wrong type: a TypeError, as README says of every option (test/lib-options.test.ts)
    await expect(sweep(join(d, 'x.yaml'), { runTimeoutS: 'x' as never })).rejects.toThrow(TypeError);
    await expect(replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { ci: { reps: 'x' as never } })).rejects.toThrow(TypeError);
    await expect(report(d, { formats: ['svgg' as never] })).rejects.toThrow("unknown format 'svgg'");
    expect(readdirSync(d)).toEqual(['ov.csv']);
  });
});
