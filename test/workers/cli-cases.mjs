// For test/hostile-input.test.ts: runs the CLI's main() once per argument list given as JSON in
// argv[2] (one process for several cases, e.g. under setpriv), and prints [{code, stderr}] as JSON.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../scripts/cli.ts');
const results = [];
const out = process.stdout.write.bind(process.stdout);
const err = process.stderr.write.bind(process.stderr);
for (const args of JSON.parse(process.argv[2])) {
  let stderr = '';
  process.stdout.write = () => true;
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  const code = await main(args);
  process.stdout.write = out;
  process.stderr.write = err;
  results.push({ code, stderr });
}
out(JSON.stringify(results));
