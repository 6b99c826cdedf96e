/**
 * A child process for test/sweep-cli.test.ts: writes the result tables of the sweep directory
 * argv[2] and SIGKILLs itself while doing so — after both temporary files are open and some rows
 * written, before either is renamed — leaving what a sweep killed at that moment leaves.
 */
import { writeTables } from '../../scripts/sweep/tables.ts';
import { SweepDir } from '../../scripts/sweep/store.ts';

const store = new SweepDir(process.argv[2]);
const manifest = store.manifest()!;
let reads = 0;
const dying = new Proxy(store, {
  get(target, key, receiver) {
    // the tables read each run with `finished` (its record and summary at once)
    if (key === 'finished') {
      return (id: string) => {
        if (++reads === Math.ceil(manifest.runs.length / 2)) process.kill(process.pid, 'SIGKILL');
        return target.finished(id);
      };
    }
    return Reflect.get(target, key, receiver);
  },
});
await writeTables(manifest, dying, process.argv[2]);
process.stdout.write('not killed\n');
