/**
 * A `syncsim run` held inside its replay until the test lets it go on: the tests of signals
 * and interruption use it so that no step depends on how long anything takes.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A writeback policy plugin that holds the run in its first wake-up (100 ms of simulated time:
 * inside the replay, so the staging directory and the lock exist and nothing is committed) until
 * the file named by its `go` parameter exists, having said `gate: paused` on stderr. It sleeps
 * while it waits (Atomics.wait), so however loaded the machine, the run cannot end before the test
 * has done what it does there.
 */
export const GATE_PLUGIN = `
import { existsSync } from 'node:fs';
export default {
  name: 'gate',
  paramsSchema: { type: 'object', additionalProperties: false, required: ['go'], properties: { go: { type: 'string' } } },
  create(p) {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    let held = false;
    return {
      wake() {
        if (held) return;
        held = true;
        process.stderr.write('gate: paused\\n');
        while (!existsSync(p.go)) Atomics.wait(cell, 0, 0, 20);
      },
    };
  },
};
`;

/**
 * Starts `node BIN run TRACE --out OUT` (in `cwd` when given) held by the gate plugin, whose files
 * go in `conf`, and resolves once it is held; `release` lets it go on. Rejects if the run ends first.
 */
export async function startHeldRun(bin: string, trace: string, out: string, conf: string, cwd?: string) {
  writeFileSync(join(conf, 'gate.mjs'), GATE_PLUGIN);
  const go = join(conf, 'go');
  writeFileSync(join(conf, 'c.yaml'), `writeback: { policy: ./gate.mjs, interval_ms: 100, params: { go: ${JSON.stringify(go)} } }\n`);
  const child = spawn(process.execPath, [bin, 'run', trace, '--out', out, '--config', join(conf, 'c.yaml')], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | string | null>((res) => child.on('exit', (code, sig) => res(code ?? (sig ? `killed by ${sig}` : null))));
  await new Promise<void>((res, rej) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('gate: paused\n')) res();
    });
    void exited.then((code) => rej(new Error(`the run ended (${code}) before the gate held it: ${stderr}`)));
  });
  return { child, exited, stderr: () => stderr, release: () => writeFileSync(go, '') };
}
