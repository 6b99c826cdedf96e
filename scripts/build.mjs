#!/usr/bin/env node
// Compiles the TypeScript sources to JavaScript and declarations in dist/ (run by `npm ci`
// through the `prepare` script, and by `npm run build`), so that the syncsim command starts
// without loading TypeScript. What it writes, in this order:
//   dist/<dir>/**/*.js, *.d.ts   tsc -p tsconfig.build.json (relative `.ts` imports become `.js`)
//   dist/<dir>/**/*.c, *.mjs     the non-TypeScript files the code finds beside itself
//                                (import.meta.url / import.meta.dirname relative paths)
//   dist/sim/config-validate.cjs  the config schema's Ajv validator as code (sim/config.ts loads it
//                                instead of compiling the schema at every start)
//   dist/bundle/*.js             the command's entry, its worker threads' modules and the package's API,
//                                each bundled with what it imports, and their shared chunks
//                                (scripts/bundle.mjs): about 45 files for a run to load instead of
//                                about 220 modules; when that cannot be done, one-line modules
//                                loading dist/scripts/'s instead (a warning says why)
//   dist/package.json            {type: module, version}: marks dist/ as ES modules and is the
//                                `../package.json` the version readers find from dist/<dir>/
//   dist/build-stamp.json        last: every source file's size and mtime as they were when the
//                                build started; scripts/launch.mjs runs dist/ only while they
//                                all still match (see README, "Compiled JavaScript").
// A failed build leaves no stamp, so the launcher keeps running the sources through tsx.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validatorCode } from './validator-code.mjs';
import { bundleDist } from './bundle.mjs';
import { ASSET_EXTENSIONS, BUNDLED, NOT_BUILT, SOURCE_DIRS, STAMP, bundleName, stampOf, sourceFiles } from './launch.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

const files = sourceFiles(ROOT);
const stamp = stampOf(ROOT, files); // before compiling: an edit made during the build makes it stale
rmSync(DIST, { recursive: true, force: true });

// typescript's `exports` hide bin/tsc; its package.json is exported and bin/tsc sits beside it
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
// tsc exit 2: type errors, JavaScript emitted all the same. That JavaScript is what tsx would run
// from the sources (it strips types without checking them), so the build goes on, loudly:
// `npx tsc --noEmit` is the type check, and a type error must not stop `npm ci`.
if (r.status === 2 && existsSync(join(DIST, 'scripts', 'cli.js'))) {
  process.stderr.write('build: tsc reported type errors (above); the JavaScript was emitted and runs as the sources would through tsx\n');
} else if (r.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ has no ${STAMP}, so syncsim runs the sources through tsx\n`);
  process.exit(1);
}
for (const f of files) {
  if (!ASSET_EXTENSIONS.some((e) => f.endsWith(e)) || NOT_BUILT.has(f)) continue;
  mkdirSync(dirname(join(DIST, f)), { recursive: true });
  copyFileSync(join(ROOT, f), join(DIST, f));
}
await writeConfigValidator();
const unbundled = await bundleDist(DIST);
if (unbundled !== undefined) {
  process.stderr.write(`build: no bundles (${unbundled}): dist/bundle/ loads dist/scripts/'s modules instead, which start slower but run the same\n`);
}
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
writeFileSync(join(DIST, 'package.json'), JSON.stringify({ type: 'module', version }, null, 2) + '\n');
writeFileSync(join(DIST, STAMP), JSON.stringify(stamp) + '\n');
process.stdout.write(`build: dist/ from ${files.length} files under ${SOURCE_DIRS.join(', ')}; ${unbundled === undefined ? 'bundles' : 'stand-ins for the bundles'} ${BUNDLED.map((r) => `bundle/${bundleName(r)}.js`).join(', ')}\n`);

/** dist/sim/config-validate.cjs: the validator sim/config.ts would compile, as code (scripts/validator-code.mjs). */
async function writeConfigValidator() {
  const { CONFIG_SCHEMA, CONFIG_VALIDATOR_OPTIONS } = await import(pathToFileURL(join(DIST, 'sim', 'config.js')).href);
  writeFileSync(join(DIST, 'sim', 'config-validate.cjs'), validatorCode(CONFIG_SCHEMA, CONFIG_VALIDATOR_OPTIONS));
}
