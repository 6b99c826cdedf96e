/**
 * A sweep checks each grid value in the grid points it is used in (base + that point's other grid
 * values), not over the base alone (scripts/sweep/grid-values.ts): a plugin policy on the grid
 * with its parameters, and `device.profile: [queue]` with `device.service.*`, are taken; a value
 * invalid at every point it is used in is refused at its line; points whose values are each
 * valid elsewhere but not together are refused naming them — through `syncsim sweep`, its
 * `--dry-run`, and the library's `sweep()`.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweep } from '../scripts/lib.ts';
import { parseExperiment, ExperimentError } from '../scripts/sweep/experiment.ts';
import { makePlan } from '../scripts/sweep/plan.ts';
import { syncsimHere, useCacheDir } from './cli-here.ts';

const d = mkdtempSync(join(tmpdir(), 'syncsim-grid-context-'));
useCacheDir(join(d, 'cache'));

/** The README's writeback policy, as a TypeScript file importing nothing. */
writeFileSync(join(d, 'wo.ts'), `interface P { age_ms: number }
export default {
  name: 'write-old',
  paramsSchema: { type: 'object', properties: { age_ms: { type: 'number', minimum: 0, default: 500 } }, additionalProperties: false },
  create: (p: P) => ({
    wake(ctx: any) {
      for (const o of ctx.objects()) if (o.dirtyPages > 0 && ctx.now - o.dirtySince >= p.age_ms * 1e6) ctx.write(o, 0, Math.max(o.sizePages, 1));
    },
  }),
};
`);

const TRACE = 'trace: { gen: db-checkpoint, set: { duration_s: 0.05, footprint: 8M } }\n';
/** Writes experiment `name` (its grid lines given) into the scratch directory; its path. */
function experiment(name: string, body: string): string {
  const file = join(d, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${TRACE}${body}seeds: 1\n`);
  return file;
}
const PLUGIN_GRID = 'base: { personality: linux }\ngrid:\n  writeback.policy: [./wo.ts]\n  writeback.params.age_ms: [0, 1000]\n';
const QUEUE_GRID = 'grid: { device.profile: [queue], device.service.mean_us: [50, 100] }\n';

/** The grid columns and status of each row of a sweep's results.csv. */
function rows(out: string): string[] {
  return readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(1, 6).join(','));
}

async function refusal(text: string): Promise<string> {
  const file = join(d, 'p.yaml');
  writeFileSync(file, text);
  try {
    await makePlan(parseExperiment(text, file));
  } catch (e) {
    if (e instanceof ExperimentError) return e.message.replace(`${file}:`, 'p.yaml:');
    throw e;
  }
  throw new Error('no error');
}

describe('grid values checked at the grid points they are used in', () => {
  it('syncsim sweep runs a plugin policy on the grid with its parameters, and device.profile queue with device.service', async () => {
    experiment('plug', PLUGIN_GRID);
    const dry = await syncsimHere(['sweep', 'plug.yaml', '--out', 'plug-dry', '--dry-run'], d);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('2 points x 1 seed = 2 runs');
    const r = await syncsimHere(['sweep', 'plug.yaml', '--out', 'plug', '-q'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(rows(join(d, 'plug'))).toEqual(['1,./wo.ts,0,1,ok', '2,./wo.ts,1000,1,ok']);

    experiment('queue', QUEUE_GRID);
    const q = await syncsimHere(['sweep', 'queue.yaml', '--out', 'queue', '-q'], d);
    expect(q.code, q.stderr).toBe(0);
    expect(rows(join(d, 'queue'))).toEqual(['1,queue,50,1,ok', '2,queue,100,1,ok']);
  }, 120_000);

  it("the library's sweep() runs them too, each run with its point's values", async () => {
    const p = await sweep(experiment('lib-plug', PLUGIN_GRID), { out: join(d, 'lib-plug'), jobs: 1 });
    expect(p.failed).toEqual([]);
    expect(p.plan.runs.map((r) => [r.config.writeback.policy, r.config.writeback.params])).toEqual([['./wo.ts', { age_ms: 0 }], ['./wo.ts', { age_ms: 1000 }]]);
    const q = await sweep(experiment('lib-queue', QUEUE_GRID), { out: join(d, 'lib-queue'), jobs: 1 });
    expect(q.failed).toEqual([]);
    expect(q.plan.runs.map((r) => [r.config.device.profile, r.config.device.service])).toEqual([['queue', { dist: 'constant', mean_us: 50 }], ['queue', { dist: 'constant', mean_us: 100 }]]);
  }, 120_000);

  it('a value invalid at every grid point it is used in is refused at its line, exit 2, nothing run', async () => {
    const tail = "key 'writeback.params': parameters are for a plugin file; the built-in writeback.policy 'none' takes none (its keys are writeback.*)";
    experiment('builtin', 'base: { personality: linux }\ngrid:\n  writeback.policy: [none, flusher]\n  writeback.params.age_ms: [0, 1000]\n');
    for (const extra of [[], ['--dry-run']]) {
      const r = await syncsimHere(['sweep', 'builtin.yaml', '--out', 'builtin', ...extra], d);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `syncsim: builtin.yaml:6: grid key 'writeback.params.age_ms' value 0: ${tail}\n`]);
      expect(existsSync(join(d, 'builtin'))).toBe(false);
    }
    await expect(sweep(join(d, 'builtin.yaml'), { out: join(d, 'lib-builtin') })).rejects.toThrow(`builtin.yaml:6: grid key 'writeback.params.age_ms' value 0: ${tail}`);
    // valid over the base (a plugin there) but at no point: the grid's built-ins replace it at every one
    expect(await refusal(`name: p\n${TRACE}base: { writeback: { policy: ./wo.ts } }\ngrid:\n  writeback.policy: [none, flusher]\n  writeback.params.age_ms:\n    - 0\n`))
      .toBe(`p.yaml:7: grid key 'writeback.params.age_ms' value 0: ${tail}`);
    // the point's own profile is named, not the default's
    expect(await refusal(`name: p\n${TRACE}grid:\n  device.profile: [hdd]\n  device.service.mean_us: [50]\n`))
      .toBe("p.yaml:5: grid key 'device.service.mean_us' value 50: key 'device.service.mean_us': belongs to the queueing model: add device.profile=queue to use it (device.profile is 'hdd', whose keys are device.read_latency, device.write_latency, device.bandwidth_mbps, ...)");
    // a value bad at every point is blamed, not another grid key's value beside it
    expect(await refusal(`name: p\n${TRACE}grid:\n  personality: [linux, solaris]\n  pager.cluster_pages: [8, 0]\n`)).toMatch(/^p\.yaml:4: grid key 'personality' value "solaris": key 'personality': must be one of /);
    expect(await refusal(`name: p\n${TRACE}grid:\n  personality: [linux]\n  pager.cluster_pages: [8, 0]\n`)).toMatch(/^p\.yaml:5: grid key 'pager\.cluster_pages' value 0: key 'pager\.cluster_pages': must be an integer >= 1/);
  }, 60_000);

  it('points whose values are valid elsewhere but not together are refused naming them, exit 2, nothing run (the key is not ignored at them)', async () => {
    experiment('mixed', 'base: { personality: linux }\ngrid:\n  writeback.policy: [none, ./wo.ts]\n  writeback.params.age_ms: [0, 1000]\n');
    const msg = 'mixed.yaml:6: grid point 1 (writeback.policy="none", writeback.params.age_ms=0): key \'writeback.params\': parameters are for a plugin file; '
      + "the built-in writeback.policy 'none' takes none (its keys are writeback.*); 2 of 4 grid points are invalid (points 1, 2): the values of a point must be valid together, "
      + "and a sweep runs every combination of its grid's values; to give a key at some points only, make the group holding it one grid key, a value for each combination "
      + '(writeback: [{ policy: flusher }, { policy: ./p.ts, params: { idle_pages: 64 } }])';
    for (const extra of [[], ['--dry-run']]) {
      const r = await syncsimHere(['sweep', 'mixed.yaml', '--out', 'mixed', ...extra], d);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `syncsim: ${msg}\n`]);
      expect(existsSync(join(d, 'mixed'))).toBe(false);
    }
    await expect(sweep(join(d, 'mixed.yaml'), { out: join(d, 'lib-mixed') })).rejects.toThrow(msg);
    // the device's: points 3 and 4 (hdd with a queue's service time)
    expect(await refusal(`name: p\n${TRACE}grid:\n  device.profile: [queue, hdd]\n  device.service.mean_us: [50, 100]\n`)).toMatch(
      /^p\.yaml:5: grid point 3 \(device\.profile="hdd", device\.service\.mean_us=50\): key 'device\.service\.mean_us': belongs to the queueing model: .*; 2 of 4 grid points are invalid \(points 3, 4\): .* \(device: \[\{ profile: nvme \}, \{ profile: queue, service: \{ dist: constant, mean_us: 50 \} \}\]\)$/,
    );
    // the README's way: the whole group as the grid key
    const group = await makePlan(parseExperiment(`name: p\n${TRACE}grid:\n  writeback: [{ policy: none }, { policy: ./wo.ts, params: { age_ms: 0 } }, { policy: ./wo.ts, params: { age_ms: 1000 } }]\n`, join(d, 'g.yaml')));
    expect(group.runs.map((r) => r.config.writeback.params?.age_ms)).toEqual([undefined, 0, 1000]);
  });

  it('gives the runs the ids of the same runs with the plugin or the profile in base', async () => {
    const ids = async (text: string, name: string) => (await makePlan(parseExperiment(`name: p\n${TRACE}${text}`, join(d, name)))).runs.map((r) => r.id);
    expect(await ids(PLUGIN_GRID, 'i1.yaml')).toEqual(await ids('base: { personality: linux, writeback: { policy: ./wo.ts } }\ngrid:\n  writeback.params.age_ms: [0, 1000]\n', 'i2.yaml'));
    expect(await ids(QUEUE_GRID, 'i3.yaml')).toEqual(await ids('base: { device: { profile: queue } }\ngrid: { device.service.mean_us: [50, 100] }\n', 'i4.yaml'));
  }, 60_000);
});
