/**
 * `syncsim convert TRACE -o TRACE.sst`: makes the binary trace cache of a
 * native CSV trace explicitly.
 */
import { checkTraceOut, recheckTraceOut, withTraceLock } from '../../traces/out-trace.ts';
import { plural } from '../plural.ts';
import { OutDirError } from '../../traces/out-dir.ts';
import { readTraceBlocks } from '../../traces/reader.ts';
import { isCacheFile, sourceIdentity, type SourceIdentity } from '../../traces/cache.ts';
import { eachTap, FileDigest } from '../../traces/byte-tap.ts';
import { clearDeadCacheWriters, TraceCacheWriter } from '../../traces/cache-writer.ts';
import { InputError, requireTraceFile } from '../errors.ts';
import { isSystemError, openProblem, unreadableReason } from '../../traces/files.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { cleanupOnInterrupt, outputInPlace } from '../interrupt.ts';
import { escapeControl } from '../../traces/escape.ts';
import { cutShortWarning } from '../../traces/trace-stamp.ts';
import { fileProgress, QUIET_OPTION, quietHelp } from '../progress.ts';

const HELP = `Usage: syncsim convert TRACE -o OUT.sst

Writes the binary copy (columnar typed arrays, versioned, checksummed) of the
native trace TRACE (.csv or .csv.gz) to OUT.sst. 'syncsim run OUT.sst' replays
it, several times faster than parsing the CSV; 'syncsim run TRACE' makes and
uses such a cache by itself. It is for speed, not space: about 49 bytes a row,
as large as the uncompressed CSV or larger (and far larger than a .csv.gz).

Options:
  -o, --out FILE   the .sst file to write (required; --output is the same
                   option, as gen and import take it); an existing FILE is
                   replaced only when it is a trace cache and it is not
                   TRACE; anything else (a CSV trace, any other file) is
                   refused (exit 2); a FILE not named .sst is written
                   as well, with a note that it is binary, not CSV
${quietHelp(19)}
  -h, --help       this help

Progress goes to stderr (rows, the share of TRACE read, rows/s, ETA): on a
terminal a line redrawn in place; otherwise a line every 10 s and one at the
end, none for a shorter job.`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals, flag } = parseCommandArgs('convert', argv, { out: { type: 'string', short: 'o' }, ...QUIET_OPTION }, { output: 'out' });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`convert expects one TRACE argument (got ${positionals.length}; try 'syncsim convert --help')`);
  if (!values.out) throw new InputError('convert needs -o OUT.sst');
  const trace = positionals[0];
  requireTraceFile(trace, 'trace file');
  if (isCacheFile(trace)) throw new InputError(`trace file ${trace} is a binary trace cache already (convert reads .csv or .csv.gz)`);
  const out = values.out;
  const cannotWrite = (e: unknown) =>
    new InputError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : openProblem(e)}`);
  if (unreadableReason(out) === 'is a directory') throw new InputError(`cannot write ${out}: is a directory`);
  checkTraceOut(out, flag('out'), 'cache', [trace]);
  // one writer of OUT at a time
  return await withTraceLock(out, flag('out'), 'convert', async () => {
    // what a convert of OUT killed mid-way (SIGKILL, a crash) left beside it
    clearDeadCacheWriters(out);
    // Ctrl-C or kill: the temporary file goes, OUT is not written (exit 130 or 143); in place before the file exists
    let w: TraceCacheWriter | undefined;
    let identity: SourceIdentity;
    const release = cleanupOnInterrupt(() => w?.abort());
    try {
      // checked again when the cache is placed: a file made at OUT meanwhile is never replaced unchecked
      identity = sourceIdentity(trace);
      w = new TraceCacheWriter(out, identity, recheckTraceOut(out, flag('out'), 'cache', [trace]));
    } catch (e) {
      release();
      throw cannotWrite(e);
    }
    let rows = 0;
    const { progress, tap } = fileProgress({ stream: process.stderr, label: 'convert', unit: 'rows', shareOf: 'the trace', quiet: values.quiet }, trace);
    // the CSV's SHA-256, hashed as it is read: the cache records it (README, "The binary trace cache")
    const digest = new FileDigest(0);
    try {
      for await (const block of readTraceBlocks(trace, { tap: eachTap(tap, digest) })) {
        try {
          w.addBlock(block);
        } catch (e) {
          // the trace's own errors come from the reader; a failed write of OUT (a full disk) is said as such
          throw isSystemError(e) ? cannotWrite(e) : e;
        }
        rows += block.length;
        progress.done = rows;
        block.release();
      }
    } catch (e) {
      progress.cancel();
      w.abort();
      release();
      throw e;
    }
    try {
      w.close(digest.sha256(identity.size));
      // OUT is in place: an interrupt from here on leaves it, exit 0 (interrupt.ts; user trial 200: it was 130)
      outputInPlace(escapeControl(out));
    } catch (e) {
      w.abort();
      throw e instanceof OutDirError ? e : cannotWrite(e);
    } finally {
      release();
      progress.finish();
    }
    // a binary cache named like a text file is taken for one (user trial 195: `convert t.csv.gz -o t.csv` to decompress);
    // said once it is written, not before: a convert that fails writes nothing to name (review 196)
    if (!/\.sst$/i.test(out)) {
      process.stderr.write(`syncsim convert: note: ${escapeControl(out)} is a binary trace cache, not CSV text, whatever its name (syncsim run and inspect read it as one); name it .sst so that it is not taken for a CSV trace${/\.gz$/i.test(trace) ? `; to decompress ${escapeControl(trace)}, gunzip -k it` : ''}\n`);
    }
    // a trace syncsim wrote whole (stamped) that has lost its end: cached as it is, but said (user trial h202)
    const cut = cutShortWarning(trace, escapeControl(trace), 'in the cache');
    if (cut) process.stderr.write(`syncsim convert: warning: ${cut}\n`);
    process.stdout.write(`${escapeControl(out)}: ${plural(rows, 'row')}\n`);
    return 0;
  });
}

/** `syncsim convert`. */
export const convertCommand: Command = { name: 'convert', usage: 'convert TRACE -o OUT.sst', summary: 'make the binary cache of a trace', help: HELP, run };
