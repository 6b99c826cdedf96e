/**
 * The rows waiting in a task's buffer (sim/replay/row-queue.ts): runs of
 * consecutive rows of a block, and row objects, come out first in first
 * out, exactly as an array queue of (source, index) pairs gives them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RowQueue, type Waiting } from '../sim/replay/row-queue.ts';
import { RowBlock, type TraceRow } from '../traces/types.ts';

const row = (line: number): TraceRow => ({ line, tNs: line, task: 't', op: 'write', addr: 0, len: 1, flags: 0, object: '', offset: 0 });

describe('RowQueue', () => {
  it('behaves as an array queue of (source, index) under any mix of pushes and shifts: runs of a block, interleaved blocks, row objects, wrap-around and growth', () => {
    const blocks = [0, 1, 2].map((b) => RowBlock.fromRows(Array.from({ length: 50 }, (_, i) => row(100 * b + i))));
    const objects = [row(-1), row(-2)];
    // an op: shift, or push of the next row of a block (often the row after the last one pushed), or of a row object
    const op = fc.oneof(
      fc.constant({ kind: 'shift' as const }),
      fc.record({ kind: fc.constant('block' as const), b: fc.integer({ min: 0, max: 2 }), skip: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('object' as const), o: fc.integer({ min: 0, max: 1 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new RowQueue();
        const ref: [Waiting, number][] = [];
        const next = [0, 0, 0];
        for (const o of ops) {
          if (o.kind === 'shift') {
            const want = ref.shift();
            expect(q.peekSource()).toBe(want?.[0]);
            if (want) expect(q.peekIndex()).toBe(want[1]);
            q.shift();
          } else if (o.kind === 'block') {
            const i = next[o.b] + o.skip;
            if (i >= 50) continue;
            next[o.b] = i + 1;
            q.push(blocks[o.b], i);
            ref.push([blocks[o.b], i]);
          } else {
            q.push(objects[o.o], -1);
            ref.push([objects[o.o], -1]);
          }
          expect(q.length).toBe(ref.length);
        }
        while (ref.length > 0) {
          const [w, i] = ref.shift()!;
          expect([q.peekSource(), q.peekIndex()]).toEqual([w, i]);
          q.shift();
        }
        expect([q.length, q.peekSource()]).toEqual([0, undefined]);
      }),
      { numRuns: 300 },
    );
  });
});
