/** A worker thread for test/cache.test.ts: answers with the temporary cache name it would write `/x/t.sst` under. */
import { parentPort } from 'node:worker_threads';
import { cacheTempPath } from '../../traces/cache.ts';

parentPort?.postMessage(cacheTempPath('/x/t.sst'));
