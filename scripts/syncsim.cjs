#!/usr/bin/env -S node --max-semi-space-size=8
// The installed `syncsim` command (package.json "bin"). CommonJS so that `syncsim --version`
// answers without starting node's ES-module loader, which costs about 10 ms of a ~100 ms start
// on the development machine (README, "Compiled JavaScript"); any other command runs
// scripts/syncsim.mjs, which chooses the compiled dist/ or the sources (scripts/launch.mjs).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // package.json's version, as the CLI prints it (scripts/version.ts)
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // the command reports its own errors (exit 2 for bad input, 1 otherwise); what reaches here is
  // a launcher or installation that does not load: an internal error, with its stack
  import('./syncsim.mjs').catch((e) => {
    process.stderr.write(`syncsim: internal error: ${(e && e.stack) || e}\n`);
    process.exitCode = 1;
  });
}
