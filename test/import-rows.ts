/**
 * An importer's rows and counters, or its error, read in this process: what the importer
 * tests (importers.test.ts, block-import-input.test.ts, import-fuzz.test.ts) compare.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Importer, ImportOptions, ImportStats } from '../traces/import/importer.ts';
import { TraceError } from '../traces/trace-error.ts';
import type { RowInput } from '../traces/writer.ts';
import { Flag } from '../traces/types.ts';

/** Every row `imp` makes of `path` and its counters (page size 4096, msyncs SYNC, unless `opts` say otherwise). */
export async function importRows(imp: Importer, path: string, opts: Partial<ImportOptions> = {}): Promise<{ rows: RowInput[]; stats: ImportStats }> {
  const stats: ImportStats = {};
  const rows: RowInput[] = [];
  for await (const batch of imp.rows(path, { pageSize: 4096, syncFlags: Flag.SYNC, ...opts }, stats)) rows.push(...batch);
  return { rows, stats };
}

/** The TraceError `imp` stops with on `path` (fails the test when it ends otherwise). */
export async function importError(imp: Importer, path: string, opts: Partial<ImportOptions> = {}): Promise<TraceError> {
  try {
    await importRows(imp, path, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    return e as TraceError;
  }
  throw new Error(`no error importing ${path}`);
}

/** The `op` rows of the trace file `csv` (no quoted fields): addr, len and the column at `col` (9: x_result, 10: x_syscall of an strace import). */
export function opRows(csv: string, op: string, col: number): [string, number, string][] {
  return readFileSync(csv, 'utf8').split('\n').filter((l) => l.split(',')[2] === op).map((l) => {
    const f = l.split(',');
    return [f[3]!, Number(f[4]), f[col]!];
  });
}
