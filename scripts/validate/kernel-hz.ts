/**
 * The running Linux kernel's timer frequency (CONFIG_HZ), read from its
 * build configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC) or
 * /boot/config-RELEASE. File timestamps advance once per tick (current_time
 * is jiffies-coarse), which is what `fs.timestamp_tick_us` models.
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** CONFIG_HZ of the running kernel and the file it came from; null when neither file is readable or says. */
export function kernelHz(procRoot = '/proc', bootDir = '/boot'): { hz: number; source: string } | null {
  const candidates: [string, (b: Buffer) => string][] = [
    [join(procRoot, 'config.gz'), (b) => gunzipSync(b).toString('utf8')],
    [join(bootDir, `config-${release()}`), (b) => b.toString('utf8')],
  ];
  for (const [path, decode] of candidates) {
    let text: string;
    try {
      text = decode(readFileSync(path));
    } catch {
      continue;
    }
    const m = /^CONFIG_HZ=(\d+)$/m.exec(text);
    if (m && Number(m[1]) > 0) return { hz: Number(m[1]), source: path };
  }
  return null;
}
