/**
 * Regenerates traces/examples/demo.csv from workloads/demo.ts:
 * `node --import tsx scripts/make-demo-trace.ts [OUT]`.
 */
import { demoWorkload } from '../workloads/demo.ts';
import { TraceWriter } from '../traces/writer.ts';

const out = process.argv[2] ?? new URL('../traces/examples/demo.csv', import.meta.url).pathname;
const w = await TraceWriter.open(out);
for (const row of demoWorkload()) await w.write(row);
await w.close();
process.stdout.write(`${out}: ${w.rows} rows\n`);
