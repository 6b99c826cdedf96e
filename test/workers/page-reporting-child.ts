/**
 * A child process for test/page-reporting.test.ts: a measurement with free page reporting
 * paused, the reporting order kept in the file argv[2] (not sysfs), that ends as argv[3] says:
 * `exit` calls process.exit(2) in the middle of it (as standard output's write failure does,
 * scripts/cli.ts), `wait` prints `paused` and waits for a signal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { measureWithReporting, parsePageReporting } from '../../scripts/validate/page-reporting.ts';

const [file, mode] = process.argv.slice(2) as [string, string];
/** Orders 0 .. 10. */
const BUDDYINFO = 'Node 0, zone   Normal      3    140   1227   1656   3134   1870    810    766    683    332   1904\n';
const io = { read: () => parsePageReporting(readFileSync(file, 'utf8'), BUDDYINFO), write: (_: string, text: string) => writeFileSync(file, text) };

await measureWithReporting('validate', true, () => {}, async () => {
  if (mode === 'exit') process.exit(2);
  process.stdout.write(`paused at ${readFileSync(file, 'utf8').trim()}\n`);
  // the work under way: the process lives until a signal ends it
  await new Promise(() => setInterval(() => {}, 1000));
}, io);
