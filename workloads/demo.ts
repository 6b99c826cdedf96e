/**
 * The built-in demo workload (traces/examples/demo.csv): a small database
 * and its log, as two tasks sharing one file with a third, exercising writes,
 * msync with several flags, wiring, a hole, a private mapping, a sub-map and
 * some erroneous calls. Deterministic for a given seed.
 */
import { RandomStream } from '../sim/engine/random.ts';
import { Flag } from '../traces/types.ts';
import type { RowInput } from '../traces/writer.ts';

const PAGE = 4096;
const DB = 0x10000000;
const DB_LEN = 4 << 20; // 1024 pages of data.db
const DB_HI = DB + DB_LEN + (1 << 20); // second mapping after a 1 MiB hole
const DB_HI_LEN = 1 << 20;
const POOL = DB + (2 << 20); // 64 KiB buffer pool inside the first mapping, wired
const POOL_LEN = 64 << 10;
const LOG = 0x20000000;
const LOG_LEN = 8 << 20;
const CONF = 0x30000000;
const SHARED = 0x40000000;

/** Parameters of the demo workload. */
export interface DemoParams {
  seed: number;
  /** Database transactions (each a few page writes). */
  transactions: number;
}

/** Rows of the demo trace in time order. */
export function* demoWorkload(p: DemoParams = { seed: 7, transactions: 600 }): Generator<RowInput> {
  const rng = new RandomStream(p.seed, 'workload.demo');
  let t = 0;
  const at = (us: number) => Math.round(us * 1000);
  // set-up: mappings (a hole between DB and DB_HI), a private config mapping, a sub-map
  yield { tNs: at(t), task: 'db', op: 'map', addr: DB, len: DB_LEN, object: 'data.db', offset: 0 };
  yield { tNs: at(t), task: 'db', op: 'map', addr: DB_HI, len: DB_HI_LEN, object: 'data.db', offset: DB_LEN };
  yield { tNs: at(t), task: 'db', op: 'map', addr: CONF, len: 16 * PAGE, object: 'db.conf', offset: 0, flags: Flag.PRIVATE };
  yield { tNs: at(t), task: 'log', op: 'map', addr: LOG, len: LOG_LEN, object: 'wal.log', offset: 0 };
  yield { tNs: at(t), task: 'shlib', op: 'map', addr: 0, len: 64 * PAGE, object: 'shared.seg', offset: 0 };
  yield { tNs: at(t), task: 'reader', op: 'map', addr: DB, len: DB_LEN, object: 'data.db', offset: 0 };
  yield { tNs: at(t), task: 'reader', op: 'map', addr: SHARED, len: 64 * PAGE, object: 'shlib', offset: 0, flags: Flag.SUBMAP };
  t += 10;
  yield { tNs: at(t), task: 'db', op: 'wire', addr: POOL, len: POOL_LEN, flags: Flag.USER | Flag.NOHOLES };
  yield { tNs: at(t), task: 'db', op: 'write', addr: CONF, len: 2 * PAGE };
  let logTail = 0;
  for (let tx = 0; tx < p.transactions; tx++) {
    t += rng.exponential(400);
    // a transaction: a few random data pages (hot first quarter), one pool page, a log record
    const n = 1 + rng.int(4);
    for (let i = 0; i < n; i++) {
      const hot = rng.uniform() < 0.7;
      const page = hot ? rng.int(256) : rng.int(DB_LEN / PAGE);
      yield { tNs: at(t), task: 'db', op: 'write', addr: DB + page * PAGE + rng.int(PAGE - 512), len: 512 };
      t += rng.exponential(5);
    }
    yield { tNs: at(t), task: 'db', op: 'write', addr: POOL + rng.int(POOL_LEN / PAGE) * PAGE, len: PAGE };
    const rec = 256 + rng.int(3000);
    yield { tNs: at(t), task: 'log', op: 'write', addr: LOG + logTail, len: rec };
    // commit: msync SYNC of the log tail just written, from the start of its first page as POSIX
    // asks (Linux and XNU refuse an address that is not page-aligned, EINVAL; FreeBSD rounds it down)
    const from = LOG + Math.floor(logTail / PAGE) * PAGE;
    yield { tNs: at(t), task: 'log', op: 'msync', addr: from, len: LOG + logTail + rec - from, flags: Flag.SYNC };
    logTail = (logTail + rec) % (LOG_LEN - 8192);
    if (tx % 10 === 9) yield { tNs: at(t), task: 'reader', op: 'read', addr: DB + rng.int(DB_LEN / PAGE) * PAGE, len: 4 * PAGE };
    if (tx % 25 === 24) {
      // background-ish: the database pushes its hot region asynchronously
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB, len: 256 * PAGE, flags: Flag.ASYNC };
    }
    if (tx % 100 === 99) {
      // checkpoint: synchronous msync of the whole first mapping (len 0 = whole entry on FreeBSD)
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB, len: DB_LEN, flags: Flag.SYNC };
      // invalidate a cold range: clean pages are dropped
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB + (3 << 20), len: 64 * PAGE, flags: Flag.SYNC | Flag.INVALIDATE };
    }
    if (tx === 150) {
      // errors: INVALIDATE over the wired pool (EBUSY on freebsd), across the hole (ENOMEM),
      // ASYNC|INVALIDATE (EINVAL), a store to an unmapped address (a fault)
      yield { tNs: at(t), task: 'db', op: 'msync', addr: POOL, len: POOL_LEN, flags: Flag.INVALIDATE };
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB + DB_LEN - 16 * PAGE, len: 32 * PAGE + (1 << 20), flags: Flag.SYNC };
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB, len: PAGE, flags: Flag.ASYNC | Flag.INVALIDATE };
      yield { tNs: at(t), task: 'db', op: 'write', addr: DB + DB_LEN + 4 * PAGE, len: 8 };
      yield { tNs: at(t), task: 'db', op: 'msync', addr: CONF, len: 16 * PAGE, flags: Flag.SYNC };
      yield { tNs: at(t), task: 'reader', op: 'write', addr: SHARED + 8 * PAGE, len: 3 * PAGE };
      yield { tNs: at(t), task: 'reader', op: 'msync', addr: SHARED, len: 64 * PAGE, flags: Flag.SYNC };
    }
    if (tx === 300) {
      // a second wiring of the pool is a no-op for user wiring; a system wire stacks
      yield { tNs: at(t), task: 'db', op: 'wire', addr: POOL, len: POOL_LEN, flags: Flag.USER };
      yield { tNs: at(t), task: 'db', op: 'wire', addr: POOL, len: 4 * PAGE, flags: Flag.SYSTEM };
      yield { tNs: at(t), task: 'db', op: 'wire', addr: DB + DB_LEN - PAGE, len: 2 * PAGE, flags: Flag.USER };
      yield { tNs: at(t), task: 'db', op: 'unwire', addr: POOL, len: 4 * PAGE, flags: Flag.SYSTEM };
    }
    if (tx === 450) {
      // len 0 at an aligned address syncs the whole entry (FreeBSD); an unaligned address is rounded down
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB_HI, len: 0, flags: Flag.SYNC };
      yield { tNs: at(t), task: 'db', op: 'msync', addr: DB + 5, len: 100, flags: Flag.SYNC };
    }
  }
  t += 1000;
  yield { tNs: at(t), task: 'db', op: 'unwire', addr: POOL, len: POOL_LEN, flags: Flag.USER | Flag.NOHOLES };
  yield { tNs: at(t), task: 'db', op: 'msync', addr: POOL, len: POOL_LEN, flags: Flag.SYNC | Flag.INVALIDATE };
  yield { tNs: at(t), task: 'db', op: 'msync', addr: DB, len: DB_LEN, flags: Flag.SYNC };
  yield { tNs: at(t), task: 'log', op: 'msync', addr: LOG, len: LOG_LEN, flags: Flag.SYNC };
  yield { tNs: at(t), task: 'db', op: 'unmap', addr: CONF, len: 16 * PAGE };
}
