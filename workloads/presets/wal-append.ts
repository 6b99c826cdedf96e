/**
 * wal-append: a write-ahead log in a mapped file. Client tasks append one record per
 * transaction at the log's tail; every K transactions (group commit) the task whose record
 * completes the group msyncs the newly written tail, synchronously by default. The log wraps
 * to its start when a record does not fit before the end.
 */
import { RandomStream } from '../../sim/engine/random.ts';
import type { RowInput } from '../../traces/writer.ts';
import { ParamError, type Params } from '../params.ts';
import { arrivals } from './arrivals.ts';
import { mergeByTime } from './merge.ts';
import { ARRIVAL, DURATION_S, MAP_BASE, PAGE_SIZE, checkPageMultiple, durationNs, footprintSpec, rateSpec, tasksSpec, type Preset } from './preset.ts';

const NAME = 'wal-append';

/** The log file every task maps. */
const OBJECT = 'wal.log';

const SCHEMA = {
  duration_s: DURATION_S,
  tasks: tasksSpec(4, 'client tasks txn0..; all map the one log file wal.log'),
  footprint: footprintSpec('64M', 'size of the log file, mapped whole by every task'),
  rate: rateSpec(1000, 'transactions'),
  arrival: ARRIVAL,
  record_min: { kind: 'size', default: 256, min: 1, max: 2 ** 30, doc: 'smallest log record in bytes (sizes uniform in [record_min, record_max])' },
  record_max: { kind: 'size', default: 2048, min: 1, max: 2 ** 30, doc: 'largest log record in bytes' },
  group_commit: { kind: 'integer', default: 8, min: 1, max: 1e6, doc: 'transactions per commit: one msync of the tail per K records' },
  sync_flags: { kind: 'msync-flags', default: 'SYNC', doc: "flags of the commit msync, joined by '|'" },
  page_size: PAGE_SIZE,
} as const;

type WalParams = Params<typeof SCHEMA>;

/** A transaction: its time and the task that issues it. */
interface Txn {
  tNs: number;
  task: number;
}

function* txns(p: WalParams, seed: number, task: number, endNs: number): Generator<Txn> {
  const a = arrivals(p.arrival, p.rate, new RandomStream(seed, `workload.${NAME}.txn${task}.arrivals`));
  for (let t = a.next(); t < endNs; t = a.next()) yield { tNs: t, task };
}

function* walRows(p: WalParams, seed: number): Generator<RowInput> {
  const endNs = durationNs(p.duration_s);
  for (let i = 0; i < p.tasks; i++) yield { tNs: 0, task: `txn${i}`, op: 'map', addr: MAP_BASE, len: p.footprint, object: OBJECT, offset: 0 };
  const sizes = new RandomStream(seed, `workload.${NAME}.records`);
  const spread = p.record_max - p.record_min + 1;
  let tail = 0;
  let inGroup = 0;
  let txnId = 0;
  // the group's written spans: one, or two when the log wrapped during the group
  const spans: { lo: number; hi: number }[] = [];
  const groupRows: RowInput[] = [];
  for (const txn of mergeByTime(Array.from({ length: p.tasks }, (_, i) => txns(p, seed, i, endNs)))) {
    const task = `txn${txn.task}`;
    const size = p.record_min + sizes.int(spread);
    if (tail + size > p.footprint) tail = 0;
    const addr = MAP_BASE + tail;
    const id = txnId++;
    yield { tNs: txn.tNs, task, op: 'write', addr, len: size, extra: { x_txn: String(id) } };
    const last = spans[spans.length - 1];
    if (last !== undefined && last.hi === addr) last.hi += size;
    else spans.push({ lo: addr, hi: addr + size });
    tail += size;
    if (++inGroup === p.group_commit) {
      spans.forEach((s, i) => {
        // the group's last msync commits its transactions: every one up to this one stored before it
        const extra = { x_txn: i === spans.length - 1 ? `<=${id}` : '' };
        const start = s.lo - (s.lo % p.page_size);
        groupRows.push({ tNs: txn.tNs, task, op: 'msync', addr: start, len: s.hi - start, flags: p.sync_flags, extra });
      });
      yield* groupRows;
      groupRows.length = 0;
      spans.length = 0;
      inGroup = 0;
    }
  }
}

/** The wal-append preset. */
export const walAppend: Preset<typeof SCHEMA> = {
  name: NAME,
  summary: 'appends to a mapped log, msync SYNC of the newly written tail at each commit, group commit of K transactions',
  schema: SCHEMA,
  extraCols: ['x_txn'],
  check(p) {
    checkPageMultiple(NAME, 'footprint', p.footprint, p.page_size);
    if (p.record_max < p.record_min) throw new ParamError(NAME, 'record_max', `must be at least record_min (${p.record_min})`, String(p.record_max));
    const group = 2 * p.group_commit * p.record_max;
    if (group > p.footprint) throw new ParamError(NAME, 'footprint', `must hold two commit groups (2 × group_commit × record_max = ${group} bytes)`, String(p.footprint));
  },
  rows: walRows,
};
