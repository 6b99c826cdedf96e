// A thread that hashes one file (SHA-256, hex) for a run's provenance (scripts/provenance.ts), so
// that a large trace is hashed beside the replay instead of in the replay's thread. Plain
// JavaScript: it starts without loading TypeScript, from the sources as from dist/.
import { parentPort, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

try {
  const h = createHash('sha256');
  const fd = openSync(workerData.path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  parentPort.postMessage({ sha256: h.digest('hex') });
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e), code: e?.code });
}
