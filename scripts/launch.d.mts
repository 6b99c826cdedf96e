/** Types of scripts/launch.mjs (plain JavaScript: the launcher runs before any TypeScript can be loaded). */

/** The folders compiled to dist/. */
export const SOURCE_DIRS: readonly string[];
/** Extensions of the non-TypeScript files the build copies beside its output. */
export const ASSET_EXTENSIONS: readonly string[];
/** Files under SOURCE_DIRS that are neither compiled nor copied. */
export const NOT_BUILT: ReadonlySet<string>;
/** The V8 flags of the `syncsim` command, which its first line carries (and `npm run bench` gives its passes). */
export const NODE_FLAGS: readonly string[];
/** The build stamp's name in dist/. */
export const STAMP: string;
/** The modules under scripts/ (no extension) the build bundles into dist/bundle/. */
export const BUNDLED: readonly string[];
/** The file name (no extension) of module `rel`'s bundle in dist/bundle/. */
export function bundleName(rel: string): string;

/** A build stamp: each source file's path (relative, `/`-separated), mtime in ms and size in bytes. */
export interface BuildStamp {
  files: [path: string, mtimeMs: number, size: number][];
}

/** The code the syncsim command runs: dist/bundle/cli.js (dist/scripts/cli.js from a build without bundles), or scripts/cli.ts through tsx and why. */
export type EntryChoice = { compiled: true; entry: string } | { compiled: false; entry: string; why: string };

/** The files a build reads, relative to `root`. */
export function sourceFiles(root: string): string[];
/** The stamp of `files` under `root`. */
export function stampOf(root: string, files: readonly string[]): BuildStamp;
/** Which code the syncsim command under `root` runs. */
export function chooseEntry(root: string, env?: Record<string, string | undefined>): EntryChoice;
