// Entry of a sweep worker thread: loads the TypeScript sources through tsx (hooks registered
// in this thread), then the worker module named by workerData.entry. `--import tsx` in the
// Worker's execArgv does not register tsx's hooks inside worker threads on Node 20.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
