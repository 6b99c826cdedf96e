#!/usr/bin/env -S node --max-semi-space-size=8
// The syncsim command: runs the compiled CLI in dist/ when it is up to date with the sources,
// else the TypeScript sources through tsx (scripts/launch.mjs decides; README, "Compiled JavaScript").
import { readFileSync } from 'node:fs';

// `syncsim --version` alone is package.json's version, as the CLI prints it (scripts/version.ts):
// answered before choosing and loading the code (launch.mjs too is imported only after), the fastest start there is
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

const { fileURLToPath, pathToFileURL } = await import('node:url');
const { chooseEntry } = await import('./launch.mjs');
const choice = chooseEntry(fileURLToPath(new URL('..', import.meta.url)));
if (!choice.compiled) {
  if (process.stderr.isTTY && process.env.SYNCSIM_TSX !== '1') {
    process.stderr.write(`syncsim: running the TypeScript sources through tsx (${choice.why}); 'npm run build' for a fast start\n`);
  }
  (await import('tsx/esm/api')).register();
}
const { main } = await import(pathToFileURL(choice.entry).href);
process.exitCode = await main(args);
