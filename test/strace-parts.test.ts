/**
 * The pieces of the strace importer alone: the argument grammar, the mapping
 * table, the process table across clone/execve/exit, and the call reader's
 * joining of unfinished and resumed halves. Expectations from the Linux ABI
 * and strace's output format, by hand.
 */
import { describe, expect, it } from 'vitest';
import { decodeEscaped, parseBits, parseCString, parseNum, splitArgs } from '../traces/import/strace/grammar.ts';
import { MappingTable } from '../traces/import/strace/address-space.ts';
import { cloneFlags, ProcessTable } from '../traces/import/strace/processes.ts';
import { CallReader, type Call } from '../traces/import/strace/calls.ts';
import { MAP_BITS } from '../traces/import/strace/linux.ts';

describe('strace grammar', () => {
  it('splits arguments at top-level commas only', () => {
    expect(splitArgs('NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3</tmp/a,b>, 0')).toEqual(['NULL', '8192', 'PROT_READ|PROT_WRITE', 'MAP_SHARED', '3</tmp/a,b>', '0']);
    expect(splitArgs('AT_FDCWD, "a,b", O_RDWR')).toEqual(['AT_FDCWD', '"a,b"', 'O_RDWR']);
    expect(splitArgs('{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88')).toEqual(['{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}', '88']);
    expect(splitArgs('')).toEqual([]);
  });

  it('keeps the -y path after an fd whole, whatever it holds: commas, brackets, escaped quotes and >', () => {
    expect(splitArgs('NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3</tmp/a,b\\76c\\"d)e>, 0')).toEqual(['NULL', '8192', 'PROT_READ|PROT_WRITE', 'MAP_SHARED', '3</tmp/a,b\\76c\\"d)e>', '0']);
    expect(splitArgs('4</x(y,z>, "s,t", 5')).toEqual(['4</x(y,z>', '"s,t"', '5']);
    // a < that follows no fd is not a path: a comparison inside a comment, say
    expect(splitArgs('1 /* a<b */, 2')).toEqual(['1 /* a<b */', '2']);
  });

  it('reads numbers, C strings and flag sets as strace prints them', () => {
    expect(parseNum('NULL')).toBe(0);
    expect(parseNum('0x7f0000001000')).toBe(0x7f0000001000);
    expect(parseNum('4096 /* 1 page */')).toBe(4096);
    expect(parseNum('PROT_READ')).toBeNaN();
    expect(parseCString('"a\\tb\\x41\\101"')).toBe('a\tbAA');
    expect(parseCString('AT_FDCWD')).toBeUndefined();
    // strace escapes every byte outside printable ASCII: the bytes are UTF-8 again; bytes that are not stay as printed
    expect(parseCString('"/tmp/caf\\303\\251"')).toBe('/tmp/café');
    expect(decodeEscaped('/tmp/f\\377')).toBe('/tmp/f\\377');
    expect(decodeEscaped('/tmp/f\\376')).not.toBe(decodeEscaped('/tmp/f\\377'));
    expect(decodeEscaped('/tmp/a,b\\76c\\"d)e')).toBe('/tmp/a,b>c"d)e');
    expect(decodeEscaped('plain')).toBe('plain');
    // MAP_SHARED 0x1 | MAP_FIXED 0x10; an unknown MAP_ name is ignored; the huge-page shift is skipped
    expect(parseBits('MAP_SHARED|MAP_FIXED|MAP_NORESERVE|21<<MAP_HUGE_SHIFT', MAP_BITS, 'MAP_')).toBe(0x11);
    expect(parseBits('PROT_READ', MAP_BITS, 'MAP_')).toBeUndefined();
  });
});

describe('mapping table', () => {
  const m = (start: number, end: number, offset = 0) => ({ start, end, object: 'f', offset, flags: 0, prot: 3 });

  it('splits a mapping a removal cuts, keeping the file offsets', () => {
    const t = new MappingTable();
    t.insert(m(0x1000, 0x5000));
    t.remove(0x2000, 0x3000);
    expect(t.list).toEqual([m(0x1000, 0x2000), m(0x3000, 0x5000, 0x2000)]);
    expect(t.runs()).toEqual([[0x1000, 0x1000], [0x3000, 0x2000]]);
  });

  it('joins pieces split only by mprotect back into one entry', () => {
    const t = new MappingTable();
    t.insert(m(0, 0x4000));
    t.protect(0x1000, 0x2000, 1);
    expect(t.list).toHaveLength(3);
    expect(t.entries()).toEqual([m(0, 0x4000)]);
  });

  it('tells whether mappings cover a range with no hole, across adjacent mappings of other objects', () => {
    const t = new MappingTable();
    t.insert(m(0x1000, 0x3000));
    t.insert({ ...m(0x3000, 0x4000), object: 'other' });
    t.insert(m(0x6000, 0x7000));
    expect([t.covers(0x1000, 0x4000), t.covers(0x2000, 0x3000), t.covers(0x6000, 0x7000)]).toEqual([true, true, true]);
    // a hole inside, a part before the first mapping, past the last, nothing mapped at all
    expect([t.covers(0x3000, 0x7000), t.covers(0, 0x2000), t.covers(0x6000, 0x8000), t.covers(0x9000, 0xa000)]).toEqual([false, false, false, false]);
    expect(new MappingTable().covers(0, 0x1000)).toBe(false);
  });
});

describe('process table', () => {
  it('reads the flags that decide sharing from fork, vfork and clone', () => {
    expect(cloneFlags('fork', '')).toBe(0);
    expect(cloneFlags('vfork', '')).toBe(0x4100); // CLONE_VM 0x100 | CLONE_VFORK 0x4000
    expect(cloneFlags('clone', 'child_stack=NULL, flags=CLONE_VM|CLONE_FS|SIGCHLD')).toBe(0x100);
  });

  it('gives a forked child a copy of the space, a thread the same one, and tears a space down with its last process', () => {
    const stats: Record<string, number> = {};
    const t = new ProcessTable(stats);
    const parent = t.get('main');
    parent.space.maps.insert({ start: 0, end: 0x1000, object: 'f', offset: 0, flags: 0, prot: 3, locked: true });
    const copy = t.clone(parent, '12', 0);
    expect(copy?.task).toBe('pid12');
    // the same mappings, not locked: memory locks are not inherited by a child (fork(2))
    expect(copy?.maps.list).toEqual(parent.space.maps.list.map((m) => ({ ...m, locked: false })));
    expect(t.clone(parent, '13', 0x100)).toBeUndefined();
    expect(t.get('13').space).toBe(parent.space);
    expect(stats.tasks).toBe(2);
    expect(t.exit('main')).toBeUndefined(); // thread 13 is still in the space
    expect(t.exit('13')).toBe(parent.space);
  });

  it('moves a vfork child to a space of its own at execve, and closes close-on-exec fds', () => {
    const t = new ProcessTable({});
    const parent = t.get('main');
    parent.fds.set(3, { object: 'a', cloexec: true });
    parent.fds.set(4, { object: 'b', cloexec: false });
    t.clone(parent, '20', 0x4100);
    const child = t.get('20');
    expect(t.exec(child)).toBeUndefined();
    expect(child.space).not.toBe(parent.space);
    expect([...child.fds.keys()]).toEqual([4]);
    expect(parent.fds.size).toBe(2);
    expect(t.exec(parent)).toBe(parent.space);
  });
});

describe('call reader', () => {
  it('joins an unfinished call with its resumed half and keeps entry order', () => {
    const calls: Call[] = [];
    const r = new CallReader('s.txt', {}, (c) => calls.push(c));
    r.line('10 1.000000 msync(0x1000, 4096, MS_SYNC <unfinished ...>', 1);
    r.line('11 1.000010 munmap(0x2000, 4096) = 0 <0.000002>', 2);
    expect(calls).toEqual([]); // munmap waits behind the msync
    r.line('10 1.000500 <... msync resumed>) = 0 <0.000500>', 3);
    expect(calls.map((c) => [c.name, c.pid, c.tNs, c.args, c.ret, c.durNs])).toEqual([
      ['msync', '10', 0, '0x1000, 4096, MS_SYNC', '0', 500000],
      ['munmap', '11', 10000, '0x2000, 4096', '0', 2000],
    ]);
  });

  it('takes a call still in flight at the end as never returning', () => {
    const calls: Call[] = [];
    const r = new CallReader('s.txt', {}, (c) => calls.push(c));
    r.line('1.5 mlock(0x1000, 4096 <unfinished ...>', 1);
    r.finish();
    expect(calls.map((c) => [c.name, c.pid, c.ret, c.complete])).toEqual([['mlock', 'main', '?', true]]);
  });
});
