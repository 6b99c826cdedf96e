/**
 * Taps on a file's bytes as a reader reads them, so that one read of a file serves more than the
 * reader: `syncsim sweep --dry-run` checks a trace's rows and hashes its bytes (its runs' ids)
 * in the same read ({@link FileDigest}), where it read the file twice.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** What sees a file's bytes as a reader reads them. */
export interface ByteTap {
  /**
   * A read of the file from its start begins: what earlier reads gave is dropped (the trace
   * reader's csv-parse pass reads the file again from its start when its fast pass stopped short).
   */
  restart(): void;
  /** `bytes` of the file, found at offset `position`; used at once (the reader may reuse the buffer). */
  seen(bytes: Uint8Array, position: number): void;
}

/** Gives `tap` the bytes `stream` reads from a file, from its start, as they come (call once the stream is piped). */
export function tapStream(stream: Readable, tap: ByteTap): void {
  let at = 0;
  stream.on('data', (chunk: Buffer) => {
    tap.seen(chunk, at);
    at += chunk.length;
  });
}

/**
 * The SHA-256 and the first bytes of a file, from the bytes a reader reads ({@link ByteTap}),
 * each byte hashed once and in order: bytes read ahead of the rest (a cache's table of names,
 * read before its blocks) wait until the bytes before them come.
 */
export class FileDigest implements ByteTap {
  private hash: Hash = createHash('sha256');
  /** The file's first `next` bytes are hashed. */
  private next = 0;
  /** Bytes read ahead of `next`, by offset. */
  private readonly ahead = new Map<number, Buffer>();
  private readonly head: Buffer;
  /** The file's first `headLength` bytes are in `head`. */
  private headLength = 0;
  private digest: string | undefined;

  /** `headBytes`: how many of the file's first bytes to keep ({@link firstBytes}). */
  constructor(headBytes: number) {
    this.head = Buffer.alloc(headBytes);
  }

  restart(): void {
    this.hash = createHash('sha256');
    this.next = 0;
    this.ahead.clear();
    this.digest = undefined;
  }

  seen(bytes: Uint8Array, position: number): void {
    if (position > this.next) {
      this.ahead.set(position, Buffer.from(bytes));
      return;
    }
    if (position + bytes.length <= this.next) return;
    this.take(bytes.subarray(this.next - position));
    for (let b = this.ahead.get(this.next); b !== undefined; b = this.ahead.get(this.next)) {
      this.ahead.delete(this.next);
      this.take(b);
    }
  }

  private take(bytes: Uint8Array): void {
    if (this.next < this.head.length) {
      const n = Math.min(bytes.length, this.head.length - this.next);
      this.head.set(bytes.subarray(0, n), this.next);
      this.headLength = Math.max(this.headLength, this.next + n);
    }
    this.hash.update(bytes);
    this.next += bytes.length;
  }

  /** The SHA-256 (hex) of the file when the last read saw every one of its `size` bytes, else undefined. */
  sha256(size: number): string | undefined {
    if (this.next !== size || this.ahead.size > 0) return undefined;
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  /** The file's first bytes, as many as kept (fewer when its `size` is smaller), when they were seen; else undefined. */
  firstBytes(size: number): Buffer | undefined {
    const n = Math.min(size, this.head.length);
    return this.headLength >= n ? Buffer.from(this.head.subarray(0, n)) : undefined;
  }
}

/** How far a read of a file has got: the end of the last bytes it read (a read from the file's start again begins at 0). */
export class BytesRead implements ByteTap {
  /** Bytes of the file read, from its start. */
  at = 0;

  restart(): void {
    this.at = 0;
  }

  seen(bytes: Uint8Array, position: number): void {
    this.at = Math.max(this.at, position + bytes.length);
  }
}

/** One tap that tells `taps` (those given) each what it sees; undefined when none is given. */
export function eachTap(...taps: (ByteTap | undefined)[]): ByteTap | undefined {
  const given = taps.filter((t) => t !== undefined);
  if (given.length <= 1) return given[0];
  return {
    restart: () => given.forEach((t) => t.restart()),
    seen: (bytes, position) => given.forEach((t) => t.seen(bytes, position)),
  };
}
