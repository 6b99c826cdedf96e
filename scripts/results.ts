/**
 * Result files of a run: syncs.csv, writeback.csv, timeline.csv and
 * summary.json, written into a temporary directory beside the target and
 * renamed into place only when the run succeeded, so a crash or a bad trace
 * never leaves half files and never touches an existing results directory.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { flagsToString } from '../traces/types.ts';
import type { ResultSink, SyncRecord, TimelineRecord, WritebackRecord } from '../sim/stats/records.ts';

/** Formats integer ns as µs (exact decimal, no float noise). */
export function nsToUsText(ns: number): string {
  return String(ns / 1000);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV file written with large synchronous writes. */
class CsvFile {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  constructor(path: string, header: string) {
    this.fd = openSync(path, 'w');
    this.push(header + '\n');
  }
  push(line: string): void {
    this.buf.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Column headers of the result CSVs. */
export const SYNCS_HEADER = 'task,t_issue_us,t_done_us,latency_us,addr,len,flags,pages_written,bytes_written,result';
export const WRITEBACK_HEADER = 't_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause';
export const TIMELINE_HEADER = 't_us,dirty_pages,writeback_pages,wired_pages,resident_pages,queue_depth';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary directories left beside `out` by runs that were killed. */
function removeStale(out: string): void {
  const prefix = `.${basename(out)}.`;
  for (const name of readdirSync(dirname(out))) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(dirname(out), name), { recursive: true, force: true });
  }
}

/** The results directory being written: a sink for the simulator plus the final commit. */
export class ResultsDir implements ResultSink {
  readonly tmp: string;
  private syncs: CsvFile;
  private wb: CsvFile;
  private tl: CsvFile;
  private closed = false;

  constructor(readonly out: string) {
    mkdirSync(dirname(out), { recursive: true });
    removeStale(out);
    this.tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    this.syncs = new CsvFile(join(this.tmp, 'syncs.csv'), SYNCS_HEADER);
    this.wb = new CsvFile(join(this.tmp, 'writeback.csv'), WRITEBACK_HEADER);
    this.tl = new CsvFile(join(this.tmp, 'timeline.csv'), TIMELINE_HEADER);
  }

  sync(r: SyncRecord): void {
    this.syncs.push(`${r.task},${nsToUsText(r.tIssueNs)},${nsToUsText(r.tDoneNs)},${nsToUsText(r.tDoneNs - r.tIssueNs)},0x${r.addr.toString(16)},${r.len},${flagsToString(r.flags)},${r.pagesWritten},${r.bytesWritten},${r.result}\n`);
  }

  writeback(r: WritebackRecord): void {
    this.wb.push(`${nsToUsText(r.tSubmitNs)},${nsToUsText(r.tStartNs)},${nsToUsText(r.tDoneNs)},${csvField(r.object)},${r.offset},${r.pages},${r.bytes},${r.cause}\n`);
  }

  timeline(r: TimelineRecord): void {
    this.tl.push(`${nsToUsText(r.tNs)},${r.dirtyPages},${r.writebackPages},${r.wiredPages},${r.residentPages},${r.queueDepth}\n`);
  }

  /** Writes buffered rows to disk. */
  flush(): void {
    this.syncs.flush();
    this.wb.flush();
    this.tl.flush();
  }

  private closeFiles(): void {
    if (this.closed) return;
    this.closed = true;
    this.syncs.close();
    this.wb.close();
    this.tl.close();
  }

  /** Writes summary.json and moves the directory into place (replacing an older one). */
  commit(summaryJson: string): void {
    this.closeFiles();
    const s = openSync(join(this.tmp, 'summary.json'), 'w');
    writeSync(s, summaryJson);
    closeSync(s);
    if (existsSync(this.out)) {
      const old = join(dirname(this.out), `.${basename(this.out)}.old-${process.pid}`);
      renameSync(this.out, old);
      renameSync(this.tmp, this.out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(this.tmp, this.out);
  }

  /** Removes the temporary directory (the run failed). */
  abort(): void {
    try {
      this.closeFiles();
    } catch {
      /* already broken */
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
