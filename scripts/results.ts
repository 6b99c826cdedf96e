/**
 * Result files of a run: summary.json and those of syncs.csv, wires.csv, writeback.csv, reads.csv,
 * timeline.csv, durability.csv and tasks.csv it was asked for (scripts/result-files.ts), written into a temporary directory beside the target and
 * renamed into place only when the run succeeded, so a crash or a bad trace
 * never leaves half files and never touches an existing results directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StagingDir } from '../traces/files.ts';
import type { TaskRecord } from '../sim/stats/tasks.ts';
import type { DurabilityRecord } from '../sim/stats/durability.ts';
import type { ReadRecord, ResultSink, SyncRecord, TimelineRecord, WireRecord, WritebackRecord } from '../sim/stats/records.ts';
import { BATCH_ROWS, COLUMN_FILES, ColumnBatch, FILE, packDurability, packIo, packSync, packTimeline, packWire, printRows } from './result-columns.ts';
import { ResultThread } from './result-thread.ts';
import { outWriteFailure, type OutWriteFailure } from '../traces/out-dir.ts';
import { namingFile } from '../traces/write-failures.ts';
import { CsvFile } from './csv-file.ts';
import { RESULT_CSVS, type ResultCsv } from './result-files.ts';

export { CsvFile, nsToUsText } from './csv-file.ts';

export { SYNCS_HEADER, WRITEBACK_HEADER, READS_HEADER, TIMELINE_HEADER, DURABILITY_HEADER, WIRES_HEADER } from './result-columns.ts';
export const TASKS_HEADER = 'task,ops,msyncs,lag_end_us,max_lag_us,blocked_us';

/**
 * How a failed write of the result files is said ({@link outWriteFailure}): any system error (a
 * full disk, a read-only file system, ...) is the one-line error the CLI reports with exit code 2.
 */
const RESULTS_FAILURE: OutWriteFailure = { what: 'the results', kinds: 'system' };

/**
 * Records packed before the writer thread is started (one batch): a smaller run prints everything
 * itself; a larger one prints nothing itself unless the thread is slow to load (see {@link MAX_HELD}).
 */
const THREAD_AFTER_RECORDS = BATCH_ROWS;
/**
 * Batches held for the thread while it loads (a few MiB): beyond them the run prints the
 * batches itself, oldest first, as before the thread started.
 */
const MAX_HELD = 16;

/**
 * The results directory being written: a sink for the simulator plus the final
 * commit. Records are packed into batches of numbers (scripts/result-columns.ts)
 * and printed when a batch fills: in this thread at first, and, once a run has
 * made {@link THREAD_AFTER_RECORDS} records and a writer thread module is given,
 * in that thread (scripts/result-thread.ts) beside the simulation: the batches
 * packed while it loads wait for it ({@link MAX_HELD} at most). The files
 * are the same byte for byte either way.
 */
export class ResultsDir implements ResultSink {
  private readonly stage: StagingDir;
  /** The open files, in COLUMN_FILES order (undefined: a file not asked for): printed to here until the thread takes them. */
  private readonly csv: (CsvFile | undefined)[];
  /** Per file of COLUMN_FILES, whether it is written: the records of the others are dropped as they come. */
  private readonly keep: boolean[];
  /** Whether tasks.csv is written. */
  private readonly keepTasks: boolean;
  private readonly batch: ColumnBatch[];
  private thread?: ResultThread;
  /** Batches packed while the thread loads, waiting for it (at most {@link MAX_HELD}), in the order packed. */
  private readonly held: { file: number; data: Float64Array; n: number }[] = [];
  /** The thread has the files. */
  private threaded = false;
  private packed = 0;
  private closed = false;
  /** Each record is copied out during its call and none is kept. */
  readonly transientRecords = true;

  /**
   * `writer`: the writer thread's module (scripts/worker-module.ts), or undefined to print every record in this thread;
   * `files`: the CSVs to write (default every one).
   */
  constructor(readonly out: string, private readonly writer?: URL, files: ReadonlySet<ResultCsv> = new Set(RESULT_CSVS)) {
    let stage: StagingDir | undefined;
    const opened: (CsvFile | undefined)[] = [];
    this.keep = COLUMN_FILES.map((f) => files.has(f.name.replace(/\.csv$/, '') as ResultCsv));
    this.keepTasks = files.has('tasks');
    try {
      // the staging directory too: on a full disk its marker may be the first write to fail
      stage = new StagingDir(out, 'run');
      for (const [i, f] of COLUMN_FILES.entries()) opened.push(this.keep[i] ? new CsvFile(join(stage.path, f.name), f.header) : undefined);
    } catch (e) {
      for (const c of opened) c?.discard();
      stage?.abort();
      throw outWriteFailure(e, out, RESULTS_FAILURE);
    }
    this.stage = stage;
    this.csv = opened;
    this.batch = COLUMN_FILES.map((f) => new ColumnBatch(f));
  }

  /** Whether the writer thread took the files (the run made enough records and was given the thread's module). */
  get threadUsed(): boolean {
    return this.threaded;
  }

  durability(r: DurabilityRecord): void {
    if (this.keep[FILE.durability] && packDurability(this.batch[FILE.durability]!, r)) this.ship(FILE.durability);
  }

  sync(r: SyncRecord): void {
    if (this.keep[FILE.syncs] && packSync(this.batch[FILE.syncs]!, r)) this.ship(FILE.syncs);
  }

  wire(r: WireRecord): void {
    if (this.keep[FILE.wires] && packWire(this.batch[FILE.wires]!, r)) this.ship(FILE.wires);
  }

  writeback(r: WritebackRecord): void {
    if (this.keep[FILE.writeback] && packIo(this.batch[FILE.writeback]!, r)) this.ship(FILE.writeback);
  }

  read(r: ReadRecord): void {
    if (this.keep[FILE.reads] && packIo(this.batch[FILE.reads]!, r)) this.ship(FILE.reads);
  }

  timeline(r: TimelineRecord): void {
    if (this.keep[FILE.timeline] && packTimeline(this.batch[FILE.timeline]!, r)) this.ship(FILE.timeline);
  }

  /** Prints batch `file`, or sends it to the writer thread; starts the thread, or hands it the files, when it is time. */
  private ship(file: number): void {
    const b = this.batch[file]!;
    if (b.n === 0) return;
    try {
      this.print(file, b);
    } catch (e) {
      throw outWriteFailure(e, this.out, RESULTS_FAILURE);
    }
  }

  private print(file: number, b: ColumnBatch): void {
    if (!this.threaded && this.writer) {
      if (!this.thread) {
        this.packed += b.n;
        if (this.packed >= THREAD_AFTER_RECORDS) this.thread = new ResultThread(this.writer);
      }
      if (this.thread === undefined) {
        // a small run so far: printed here
      } else if (this.thread.ready) {
        for (const c of this.csv) c?.flush();
        this.thread.adopt(this.csv.map((c) => c?.descriptor ?? null));
        this.threaded = true;
        for (const h of this.held.splice(0)) this.thread.sendPacked(h.file, this.batch[h.file]!, h.data, h.n);
      } else if (this.held.length < MAX_HELD) {
        // the thread is still loading: the batch waits for it rather than being printed here
        this.held.push({ file, n: b.n, data: b.take() });
        return;
      } else this.printHeld();
    }
    if (this.threaded) this.thread!.send(file, b);
    else b.printTo(this.csv[file]!);
  }

  /** Prints the batches held for the thread, in the order they were packed, in this thread. */
  private printHeld(): void {
    for (const h of this.held.splice(0)) printRows(COLUMN_FILES[h.file]!, this.csv[h.file]!, h.data, h.n, this.batch[h.file]!.strings);
  }

  /** Prints (or sends) the records packed so far and writes them to disk (in this thread: the thread writes as it prints). */
  flush(): void {
    for (let f = 0; f < this.batch.length; f++) this.ship(f);
    try {
      if (!this.threaded) for (const c of this.csv) c?.flush();
    } catch (e) {
      throw outWriteFailure(e, this.out, RESULTS_FAILURE);
    }
  }

  /** Prints what is left, waits for the writer thread, and closes the files; on a failure, see {@link release}. */
  private closeFiles(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (let f = 0; f < this.batch.length; f++) this.ship(f);
      if (!this.threaded) this.printHeld(); // the thread never took the files
      this.thread?.close(this.threaded);
      for (const c of this.csv) c?.close();
    } catch (e) {
      this.release();
      throw outWriteFailure(e, this.out, RESULTS_FAILURE);
    }
  }

  /**
   * Stops the writer thread and closes the files without writing anything more: at once, or,
   * when the thread has them, once it has stopped (it may be writing to them, and a closed
   * descriptor could be reused by another file meanwhile).
   */
  private release(): void {
    const closeAll = () => {
      for (const c of this.csv) c?.discard();
    };
    const stopped = this.thread?.terminate();
    if (stopped && this.threaded) void stopped.then(closeAll, closeAll);
    else closeAll();
  }

  /** Writes tasks.csv: one row per task (closed replay's lag, time blocked); nothing when it was not asked for. */
  writeTasks(records: readonly TaskRecord[]): void {
    if (!this.keepTasks) return;
    let f: CsvFile | undefined;
    try {
      f = new CsvFile(join(this.stage.path, 'tasks.csv'), TASKS_HEADER);
      for (const r of records) f.text(r.task).comma().num(r.ops).comma().num(r.msyncs).comma().us(r.lagEndNs).comma().us(r.maxLagNs).comma().us(r.blockedNs).end();
      f.close();
    } catch (e) {
      f?.discard();
      throw outWriteFailure(e, this.out, RESULTS_FAILURE);
    }
  }

  /** Writes summary.json and moves the directory into place (replacing an older one). */
  commit(summaryJson: string): void {
    this.closeFiles();
    const summary = join(this.stage.path, 'summary.json');
    try {
      writeFileSync(summary, summaryJson);
    } catch (e) {
      throw outWriteFailure(namingFile(e, summary), this.out, RESULTS_FAILURE);
    }
    try {
      this.stage.commit();
    } catch (e) {
      // its marker, or a rename the system refused: the staging directory goes (abort), what was at `out` stays
      throw outWriteFailure(e, this.out, RESULTS_FAILURE);
    }
  }

  /** Removes the temporary directory (the run failed). */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      this.release();
    }
    this.stage.abort();
  }
}
