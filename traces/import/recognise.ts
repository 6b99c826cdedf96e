/**
 * Which importer a file in another tool's format needs, told from its first
 * line: a user who gives `run` (or `inspect`, `convert`) an MSR Cambridge
 * CSV or an strace log gets a native-trace error about its first line, and
 * the importer to use beside it.
 */

/** The first line of each format `syncsim import --from` reads, by `--from` name (what each tool writes by default). */
const FIRST_LINES: readonly { from: string; what: string; line: RegExp }[] = [
  // fio's write_iolog: its version line
  { from: 'fio-iolog', what: 'a fio I/O log', line: /^fio version [23] iolog\s*$/ },
  // Timestamp (Windows filetime), Hostname, DiskNumber, Type, Offset, Size, ResponseTime
  { from: 'msr', what: 'an MSR Cambridge trace', line: /^\d{10,},[^,]*,\d+,(?:Read|Write),\d+,\d+,\d+\s*$/i },
  // blkparse's default output: dev maj,min, cpu, sequence, time, pid, action, RWBS ...
  { from: 'blkparse', what: 'blkparse output', line: /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s+[A-Z]+\b/ },
  // strace -f -tt/-ttt [-T]: [pid] [time] call(args) = result
  { from: 'strace', what: 'an strace log', line: /^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:\d+(?:[.:]\d+)*\s+)?[a-z_][a-z0-9_]*\(.*(?:\)\s+=\s|<unfinished \.\.\.>)/ },
];

/** The importer a file whose first line is `firstLine` looks like it needs, or undefined when it looks like none of them. */
export function recogniseFormat(firstLine: string): { from: string; what: string } | undefined {
  const hit = FIRST_LINES.find((f) => f.line.test(firstLine));
  return hit && { from: hit.from, what: hit.what };
}
