/** Types of scripts/bundle.mjs (plain JavaScript: the build runs it before any TypeScript is compiled). */

/** Bundles the entries of the compiled tree `dist` into `dist`/bundle/; undefined when it did, else why not (stand-ins written instead). */
export function bundleDist(dist: string, loadEsbuild?: () => Promise<{ build: unknown }>): Promise<string | undefined>;
/** One-line stand-ins in `outdir` for the bundles, loading dist/scripts/'s modules. */
export function stubBundles(outdir: string): void;
/** Module source `src` with its `import.meta` place names relative to the bundle's folder; `rel`: the module's path from there. */
export function placed(src: string, rel: string): string;
