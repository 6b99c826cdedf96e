/**
 * The error of a plugin (a writeback policy or an I/O scheduler) that threw,
 * answered nonsense or made no progress: it names the plugin and the call,
 * and fails the run (`syncsim run` exits 2; a sweep records the run failed).
 */
export class PluginError extends Error {
  constructor(
    /** The plugin as the configuration names it (`flusher`, `./my-policy.ts`). */
    readonly plugin: string,
    /** The call that failed, e.g. `wake()`, `pick()`, `ctx.write()`. */
    readonly call: string,
    /** What went wrong. */
    readonly problem: string,
    /** `cause`: what the plugin threw (its stack says where: scripts/plugins.ts adds the place). */
    options?: { cause?: unknown },
  ) {
    super(`plugin '${plugin}': ${call}: ${problem}`, options);
    this.name = 'PluginError';
  }
}

/** The {@link PluginError} for `e`, thrown by plugin `plugin` in `call` (a PluginError passes through); `e` is its cause. */
export function pluginFailure(plugin: string, call: string, e: unknown): PluginError {
  if (e instanceof PluginError) return e;
  const what = e instanceof Error ? `${e.name}: ${e.message}` : thrownText(e);
  return new PluginError(plugin, call, `threw ${what}`, { cause: e });
}

/** What a plugin threw that is not an Error, as text: a plain object or an array as JSON (not `[object Object]`), anything else as String gives it. */
function thrownText(e: unknown): string {
  if (e === null || typeof e !== 'object') return String(e);
  let text: string | undefined;
  try {
    text = String(e);
  } catch {
    text = undefined; // an object without toString (Object.create(null))
  }
  if (text !== undefined && text !== '[object Object]' && !Array.isArray(e)) return text;
  try {
    const json = JSON.stringify(e);
    if (json !== undefined) return json.length > 200 ? `${json.slice(0, 200)}...` : json;
  } catch {
    // one JSON cannot write (an object inside itself, a BigInt): as String gives it
  }
  return text ?? 'an object';
}

/** Runs `fn` (a call into plugin code); anything it throws becomes a {@link PluginError} naming the plugin and `call`. */
export function guarded<T>(plugin: string, call: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw pluginFailure(plugin, call, e);
  }
}

/** A JSON schema a plugin exports for its parameters (`writeback.params`, `device.discipline_params`). */
export type ParamsSchema = Readonly<Record<string, unknown>>;

/** The longest delay a plugin may ask for (a hold-back or wake-up timer): one day, in ns. */
export const MAX_PLUGIN_DELAY_NS = 86_400e9;

/** Checks a delay (ns) a plugin returned: a finite number in (0, one day]; returns it as an integer ns. */
export function checkDelay(plugin: string, call: string, what: string, ns: unknown): number {
  if (typeof ns !== 'number' || !Number.isFinite(ns)) throw new PluginError(plugin, call, `${what} must be a finite number of ns (got ${String(ns)})`);
  if (ns < 0) throw new PluginError(plugin, call, `${what} is negative (${ns} ns)`);
  if (ns === 0) throw new PluginError(plugin, call, `${what} is 0 ns: no time would pass (no progress)`);
  if (ns > MAX_PLUGIN_DELAY_NS) throw new PluginError(plugin, call, `${what} is longer than a day (${ns} ns)`);
  return Math.max(1, Math.round(ns));
}

/** A plugin for a run: the module and its validated parameters, under the name the configuration gives it. */
export interface LoadedPlugin<T> {
  /** As the configuration names it (`sync_first`, `./deadline.ts`). */
  name: string;
  plugin: T;
  /** Validated parameters (`writeback.params`, `device.discipline_params`), defaults filled in. */
  params: Record<string, unknown>;
  /** SHA-256 of the plugin file's source, when loaded from a file (summary.json provenance). */
  sha256?: string;
  /** The plugin file's absolute path, when loaded from a file: a failure's message names the line in it. */
  file?: string;
}
