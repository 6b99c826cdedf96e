/**
 * The experiment `syncsim sweep --help` shows is the one it says it is,
 * workloads/experiments/ckpt-vs-wal.yaml: a user who copies it gets the sweep
 * README's "Sweeps" describes, not an older version of it whose
 * `throttle.total_us` is 0 in every run (no memory limit, no flusher).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sweepCommand } from '../scripts/commands/sweep.ts';

const FILE = join(import.meta.dirname, '..', 'workloads', 'experiments', 'ckpt-vs-wal.yaml');

describe('sweep --help: its example experiment', () => {
  it('is workloads/experiments/ckpt-vs-wal.yaml, key for key', () => {
    const lines = sweepCommand.help.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Experiment file (YAML'));
    expect(lines[start]).toContain('workloads/experiments/ckpt-vs-wal.yaml');
    const block = lines.slice(start + 1);
    const example = block.slice(0, block.findIndex((l) => !l.startsWith('  '))).map((l) => l.slice(2)).join('\n');
    expect(parse(example)).toEqual(parse(readFileSync(FILE, 'utf8')));
  });
});
