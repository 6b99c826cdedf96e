// Entry of a sweep worker thread: loads the worker module named by workerData.entry, registering
// tsx's hooks in this thread first when that module is TypeScript (the sources; the compiled
// dist/ needs none). `--import tsx` in the Worker's execArgv does not register tsx's hooks
// inside worker threads on Node 20.
import { workerData } from 'node:worker_threads';

if (/\.[cm]?tsx?$/.test(new URL(workerData.entry).pathname)) (await import('tsx/esm/api')).register();
await import(workerData.entry);
