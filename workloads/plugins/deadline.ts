/**
 * An example I/O scheduler plugin (`device.discipline: ./deadline.ts`): a
 * deadline scheduler after Linux mq-deadline, written only against the
 * public interface (sim/device/scheduler.ts).
 *
 * Commands are in two classes: `sync` (reads, and writes a synchronous
 * waiter depends on: an msync, a journal commit) and `async` (background
 * writeback). Each command gets a deadline when queued: `read_expire_ms`
 * for reads, `write_expire_ms` for writes. Like mq-deadline, the scheduler
 * serves batches of up to `fifo_batch` commands of one class in increasing
 * (object, page) order — the one-way elevator — and chooses the class
 * between batches: `sync` first, unless `async` commands have waited through
 * `writes_starved` sync batches; within the chosen class, a command whose
 * deadline has passed starts a new batch from the oldest one. Adjacent
 * commands of one class and object are merged up to `max_merge_pages`.
 *
 * Defaults are mq-deadline's (linux block/mq-deadline.c:
 * `read_expire = HZ / 2`, `write_expire = 5 * HZ`, `writes_starved = 2`,
 * `fifo_batch = 16`; docs.kernel.org/block/deadline-iosched.html).
 */
import { defineScheduler, type IoScheduler, type QueuedIo } from '../../sim/device/scheduler.ts';

/** The parameters (`device.discipline_params`). */
export interface DeadlineParams {
  read_expire_ms: number;
  write_expire_ms: number;
  writes_starved: number;
  fifo_batch: number;
  max_merge_pages: number;
}

type Class = 'sync' | 'async';

interface Entry {
  io: QueuedIo;
  deadline: number;
}

/** Sort order of the elevator: by object, then page. */
const before = (a: QueuedIo, b: QueuedIo) => a.object.id - b.object.id || a.first - b.first;

export default defineScheduler<DeadlineParams>({
  name: 'deadline',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      read_expire_ms: { type: 'number', exclusiveMinimum: 0, maximum: 3600e3, default: 500 },
      write_expire_ms: { type: 'number', exclusiveMinimum: 0, maximum: 3600e3, default: 5000 },
      writes_starved: { type: 'integer', minimum: 1, maximum: 1000, default: 2 },
      fifo_batch: { type: 'integer', minimum: 1, maximum: 100000, default: 16 },
      max_merge_pages: { type: 'integer', minimum: 1, maximum: 65536, default: 256 },
    },
  },
  create(p): IoScheduler {
    /** Queued commands of each class, in arrival order (the FIFO; the elevator order is computed when needed). */
    const queues: Record<Class, Entry[]> = { sync: [], async: [] };
    let batchClass: Class | undefined;
    let batchLeft = 0;
    /** Where the elevator of each class is: the last command it started. */
    const position: Record<Class, QueuedIo | undefined> = { sync: undefined, async: undefined };
    let starved = 0;
    const classOf = (io: QueuedIo): Class => (io.kind !== 'write' || io.urgent ? 'sync' : 'async');
    const expireNs = (io: QueuedIo) => (io.kind === 'read' ? p.read_expire_ms : p.write_expire_ms) * 1e6;

    /** The next command of `cls` in elevator order after its position (wrapping to the lowest). */
    const nextInOrder = (cls: Class): number => {
      const q = queues[cls], pos = position[cls];
      let best = -1, lowest = 0;
      for (let i = 0; i < q.length; i++) {
        if (before(q[i].io, q[lowest].io) < 0) lowest = i;
        if (pos && before(q[i].io, pos) <= 0) continue;
        if (best < 0 || before(q[i].io, q[best].io) < 0) best = i;
      }
      return best >= 0 ? best : lowest;
    };

    /** Takes entry `i` of `cls` and the commands adjacent after it (merged). */
    const take = (cls: Class, i: number): QueuedIo | QueuedIo[] => {
      const q = queues[cls];
      const first = q.splice(i, 1)[0].io;
      const run = [first];
      let pages = first.pages;
      for (;;) {
        const last = run[run.length - 1];
        const j = q.findIndex((e) => e.io.object.id === last.object.id && e.io.kind === last.kind && e.io.first === last.first + last.pages
          && e.io.fua === first.fua && !e.io.preflush && last.kind !== 'flush');
        if (j < 0 || pages + q[j].io.pages > p.max_merge_pages) break;
        pages += q[j].io.pages;
        run.push(q.splice(j, 1)[0].io);
      }
      position[cls] = run[run.length - 1];
      return run.length === 1 ? first : run;
    };

    return {
      add(io, now) {
        queues[classOf(io)].push({ io, deadline: now + expireNs(io) });
      },
      expedite(io) {
        const i = queues.async.findIndex((e) => e.io === io);
        if (i >= 0) queues.sync.push(...queues.async.splice(i, 1));
      },
      pick(now) {
        // continue the batch in elevator order
        if (batchClass && batchLeft > 0 && queues[batchClass].length > 0) {
          batchLeft--;
          return take(batchClass, nextInOrder(batchClass));
        }
        // a new batch: choose the class (sync first, unless async has starved long enough)
        let cls: Class;
        if (queues.sync.length > 0 && (queues.async.length === 0 || starved < p.writes_starved)) {
          cls = 'sync';
          if (queues.async.length > 0) starved++;
        } else if (queues.async.length > 0) {
          cls = 'async';
          starved = 0;
        } else return undefined;
        batchClass = cls;
        batchLeft = p.fifo_batch - 1;
        // an expired command starts the batch from the FIFO's head
        const q = queues[cls];
        const oldest = q.reduce((o, e, i) => (e.deadline < q[o].deadline ? i : o), 0);
        return take(cls, q[oldest].deadline <= now ? oldest : nextInOrder(cls));
      },
    };
  },
});
