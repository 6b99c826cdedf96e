/**
 * The result writer thread itself (started by scripts/result-thread.ts): takes
 * over the open result files (the run's thread closes them), prints each batch of packed records it is sent
 * into its file, in the order sent, and gives the batch's array back (shared memory, never transferred). On a
 * failure (a full disk) it reports the error once and prints nothing more.
 */
import { workerData } from 'node:worker_threads';
import { CsvFile } from './csv-file.ts';
import { COLUMN_FILES, printRows } from './result-columns.ts';
import { CTL, type FromWriter, type ToWriter, type WriterData } from './result-thread.ts';

const { port, ctl } = workerData as WriterData;
/** The adopted files, each with the strings it was sent so far (by id); undefined for a file the run does not write (it is sent nothing). */
let files: ({ csv: CsvFile; strings: string[] } | undefined)[] = [];
let failed = false;

const answer = (m: FromWriter) => port.postMessage(m);
/** Sets a control slot and wakes the run if it waits on it. */
const signal = (slot: number, add = false) => {
  if (add) Atomics.add(ctl, slot, 1);
  else Atomics.store(ctl, slot, 1);
  Atomics.notify(ctl, slot);
};

port.on('message', (m: ToWriter) => {
  if (failed) return;
  try {
    if ('adopt' in m) files = m.adopt.map((fd) => (fd === null ? undefined : { csv: new CsvFile(fd), strings: [] }));
    else if ('data' in m) {
      const f = files[m.file]!;
      for (const s of m.strings) f.strings.push(s);
      printRows(COLUMN_FILES[m.file]!, f.csv, m.data, m.n, f.strings);
      answer({ recycle: m.data, file: m.file }); // the array is shared (batchArray): the run reuses it once it is back
      signal(CTL.printed, true);
    } else {
      // the files were opened by the run's thread, which closes them
      for (const f of files) f?.csv.flush();
      signal(CTL.closed);
      port.close();
    }
  } catch (e) {
    failed = true;
    const err = e as NodeJS.ErrnoException;
    answer({ error: err instanceof Error ? err.message : String(e), ...(err?.code ? { code: err.code } : {}) });
    // every slot the run may wait on changes, so that a wait begun after this returns at once
    signal(CTL.failed);
    signal(CTL.printed, true);
    signal(CTL.closed);
  }
});
answer({ ready: true });
