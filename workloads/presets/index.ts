/**
 * The workload presets by name, and the programmatic way to generate a trace from one
 * (what `syncsim gen` and the sweep runner use).
 */
import { TraceWriter, type RowInput } from '../../traces/writer.ts';
import { PresetError, resolveParams, type Schema } from '../params.ts';
import { checkTraceSize, type Preset } from './preset.ts';
import { seqWriter } from './seq-writer.ts';
import { randomWriterPreset } from './random-writer.ts';
import { dbCheckpoint } from './db-checkpoint.ts';
import { walAppend } from './wal-append.ts';
import { wiredPool } from './wired-pool.ts';
import { sharedObject } from './shared-object.ts';

export type { Preset } from './preset.ts';
export { ParamError, PresetError } from '../params.ts';

/** Every preset, in the order `syncsim gen --list` shows them. */
export const PRESETS: readonly Preset<Schema>[] = [seqWriter, randomWriterPreset, dbCheckpoint, walAppend, wiredPool, sharedObject];

/** The preset called `name`; a PresetError listing the known names otherwise. */
export function findPreset(name: string): Preset<Schema> {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new PresetError(`unknown preset '${name}' (presets: ${PRESETS.map((x) => x.name).join(', ')})`);
  return p;
}

/**
 * The rows of preset `preset` with parameters `params` (values as strings, e.g. from
 * `--set k=v`, or numbers; missing keys take their defaults) and `seed`, streamed in
 * non-decreasing time. The preset and every parameter are checked before this returns: a bad
 * one throws a {@link PresetError} (a ParamError naming the key). The same arguments always
 * give the same rows.
 */
export function generate(preset: string, params: Readonly<Record<string, unknown>> = {}, seed = 1): Generator<RowInput> {
  const p = findPreset(preset);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new PresetError(`seed must be a non-negative integer (got '${seed}')`);
  const values = resolveParams(p.name, p.schema, params);
  p.check?.(values);
  checkTraceSize(p.name, values as Record<string, number | string>);
  return p.rows(values, seed);
}

/** Options of {@link generateToFile}. */
export interface GenerateToFileOptions {
  /** Stops the generation (the file is then not written) when aborted. */
  signal?: AbortSignal;
}

/**
 * Writes the trace of {@link generate} to `path` (gzip-compressed when it ends with `.gz`),
 * atomically: nothing is left at `path` when anything fails or `signal` aborts (then the
 * signal's reason is thrown). Returns the number of rows.
 */
export async function generateToFile(
  path: string, preset: string, params: Readonly<Record<string, unknown>> = {}, seed = 1, opts: GenerateToFileOptions = {},
): Promise<number> {
  const rows = generate(preset, params, seed);
  const w = await TraceWriter.open(path);
  try {
    for (const row of rows) {
      opts.signal?.throwIfAborted();
      await w.write(row);
    }
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return w.rows;
}
