/** Types of scripts/bundle.mjs (plain JavaScript: the build runs it before any TypeScript is compiled). */

/** Bundles the command's entry and its worker threads' modules of the compiled tree `dist` into `dist`/bundle/. */
export function bundleDist(dist: string): Promise<void>;
/** Module source `src` with its `import.meta` place names relative to the bundle's folder; `rel`: the module's path from there. */
export function placed(src: string, rel: string): string;
