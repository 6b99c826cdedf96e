#!/usr/bin/env -S node --max-semi-space-size=8
// The syncsim command: runs the compiled CLI in dist/ when it is up to date with the sources,
// else the TypeScript sources through tsx (scripts/launch.mjs decides; README, "Compiled JavaScript").
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

// `syncsim --version` alone is package.json's version, as the CLI prints it (scripts/version.ts):
// answered before choosing and loading the code (launch.mjs too is imported only after), the fastest start there is
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

// Ctrl-C or kill while the code loads (a second or more through tsx): said, exit 128 + the signal's number, as once
// the command runs (a hang-up by the signal itself: the terminal is gone); the CLI's commandLine takes over from here
const early = (sig) => {
  process.stderr.on('error', () => {});
  try {
    process.stderr.write(`\nsyncsim: interrupted (${sig}); nothing written\n`);
  } catch {
    // the terminal is gone
  }
  if (sig === 'SIGHUP') {
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
  process.exit(128 + constants.signals[sig]);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, early);

const { fileURLToPath, pathToFileURL } = await import('node:url');
const { chooseEntry } = await import('./launch.mjs');
const choice = chooseEntry(fileURLToPath(new URL('..', import.meta.url)));
if (!choice.compiled) {
  if (process.stderr.isTTY && process.env.SYNCSIM_TSX !== '1') {
    process.stderr.write(`syncsim: running the TypeScript sources through tsx (${choice.why}); 'npm run build' for a fast start\n`);
  }
  (await import('tsx/esm/api')).register();
}
// commandLine takes the stop signals over from `early`; an entry without it (a build of before 2026-12-08) runs its main
const entry = await import(pathToFileURL(choice.entry).href);
process.exitCode = await (entry.commandLine ?? entry.main)(args, early);
