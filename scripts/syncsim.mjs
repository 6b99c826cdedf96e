#!/usr/bin/env node
// The syncsim command: runs the compiled CLI in dist/ when it is up to date with the sources,
// else the TypeScript sources through tsx (scripts/launch.mjs decides; README, "Compiled JavaScript").
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './launch.mjs';

const choice = chooseEntry(fileURLToPath(new URL('..', import.meta.url)));
if (!choice.compiled) {
  if (process.stderr.isTTY && process.env.SYNCSIM_TSX !== '1') {
    process.stderr.write(`syncsim: running the TypeScript sources through tsx (${choice.why}); 'npm run build' for a fast start\n`);
  }
  (await import('tsx/esm/api')).register();
}
const { main } = await import(pathToFileURL(choice.entry).href);
process.exitCode = await main(process.argv.slice(2));
