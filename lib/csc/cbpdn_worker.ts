/**
 * Worker-thread entry of {@link cbpdnParallel} (lib/csc/parallel.ts): runs one {@link cbpdn} and
 * posts the coefficient maps back (their buffer transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import { cbpdn, type CbpdnOptions, type ConvDictionary } from './cbpdn.js';

export interface CbpdnJob {
  dict: ConvDictionary;
  S: Float64Array;
  width: number;
  height: number;
  lambda: number;
  options: Omit<CbpdnOptions, 'onIteration'>;
}

parentPort?.on('message', (job: CbpdnJob) => {
  try {
    const r = cbpdn(job.dict, job.S, job.width, job.height, job.lambda, job.options);
    parentPort!.postMessage({ ok: true, result: r }, [r.Y.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
