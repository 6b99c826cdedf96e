/**
 * fio's own check of a job, before validate waits for the device or measures anything:
 * `fio --parse-only` on the job as validate rewrote it (fed on standard input), its complaint
 * (`Bad option <blocksz_typo=4k>`, `fio: failed parsing rw=randwritex`) turned into one line
 * naming the user's job file and, when it names an option the file sets, that option's line.
 */
import { spawnSync } from 'node:child_process';
import { TraceError } from '../../traces/trace-error.ts';
import { InputError } from '../errors.ts';
import type { JobFile, JobOption } from './jobfile.ts';

/** Runs `fio --parse-only` on `text`, the rewritten `job`; returns when fio takes it, else throws {@link fioParseError}'s error. */
export function checkWithFio(job: JobFile, text: string): void {
  const r = spawnSync('fio', ['--parse-only', '-'], { input: text, encoding: 'utf8' });
  if (r.error) throw new InputError(`cannot run fio: ${r.error.message}`);
  if (r.status === 0) return;
  throw fioParseError(job, r.stderr ?? '', r.stdout ?? '');
}

/**
 * The error of a job `fio --parse-only` refused with standard error `stderr` and output
 * `stdout`: a TraceError at the line of the option fio names (`option KEY`), with fio's words
 * and, for an option of listed values, the values (fio prints them on standard output); an
 * InputError naming the file when no option of the file is named.
 */
export function fioParseError(job: JobFile, stderr: string, stdout: string): TraceError | InputError {
  // fio's lines, less the one saying it dropped the job (named as rewritten: NAME-1 for numjobs)
  const said = stderr.split(/\r?\n/).map((l) => l.trim().replace(/^fio: /, '')).filter((l) => l !== '' && !/^job .* dropped$/.test(l));
  const values = stdout.split(/\r?\n/).flatMap((l) => /^\s*(?:valid values)?\s*:\s*(\S+)/.exec(l)?.[1] ?? []);
  const words = said.join('; ') + (values.length > 0 ? ` (valid values: ${values.join(', ')})` : '');
  const named = said.map((l) => /^Bad option <(.*)>$/.exec(l)?.[1] ?? /^failed parsing (.*)$/.exec(l)?.[1]).find((t) => t !== undefined);
  const option = named === undefined ? undefined : optionOf(job, named);
  if (option === undefined) return new InputError(`${job.path}: fio --parse-only refuses the job${words ? `: ${words}` : ''}`);
  const asWritten = option.value === '' ? option.key : `${option.key}=${option.value}`;
  return new TraceError(job.path, option.line, option.key, `fio --parse-only refuses it: ${words}`, asWritten, { noun: 'option' });
}

/** The option of `job` that fio's `KEY=VALUE` (or bare `KEY`) text is: the one written so, else the last that sets KEY. */
function optionOf(job: JobFile, text: string): JobOption | undefined {
  const eq = text.indexOf('=');
  const key = (eq < 0 ? text : text.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? '' : text.slice(eq + 1).trim();
  const all = job.sections.flatMap((s) => s.options).filter((o) => o.key === key);
  return all.find((o) => o.value === value) ?? all[all.length - 1];
}
