// For tests that need a process of their own for several CLI calls (test/hostile-input.test.ts,
// out-dir.test.ts, out-write-shown.test.ts, out-lock.test.ts, cache-writer.test.ts: under setpriv,
// under a file size limit; out-mount-point.test.ts: in a mount namespace; plugin-cli.test.ts: plugins
// loaded as Node and tsx load them, not through vitest's module loader): runs the CLI's
// main() once per case given as JSON in argv[2], in this one process, and prints [{code, stderr}] as
// JSON. A case is an argument list, or { args, cwd, list } to run it in directory cwd (relative to this
// process's own), whose result then has its standard output too: { code, stderr, stdout }, and, when
// list names a directory, what it holds right after the case: `listing`, its paths (recursive, sorted).
// The code is what the syncsim command runs (scripts/launch.mjs): dist/ when it is up to date with
// the sources, else the sources through tsx.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from '../../scripts/launch.mjs';

const choice = chooseEntry(fileURLToPath(new URL('../..', import.meta.url)));
if (!choice.compiled) (await import('tsx/esm/api')).register();
const { main } = await import(pathToFileURL(choice.entry).href);
const results = [];
const out = process.stdout.write.bind(process.stdout);
const err = process.stderr.write.bind(process.stderr);
const home = process.cwd();
for (const c of JSON.parse(process.argv[2])) {
  const [args, cwd, list] = Array.isArray(c) ? [c, undefined, undefined] : [c.args, c.cwd, c.list];
  let stdout = '', stderr = '';
  if (cwd !== undefined) process.chdir(cwd);
  process.stdout.write = (chunk) => ((stdout += String(chunk)), true);
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  const code = await main(args);
  process.stdout.write = out;
  process.stderr.write = err;
  process.chdir(home);
  const listing = list === undefined ? undefined : readdirSync(list, { recursive: true }).map(String).sort();
  results.push(Array.isArray(c) ? { code, stderr } : { code, stderr, stdout, ...(listing && { listing }) });
}
out(JSON.stringify(results));
