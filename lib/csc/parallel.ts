/**
 * Several independent {@link cbpdn} problems (CSR codes its two source images separately) on
 * worker threads, one problem per thread, at most `threads` at a time. The result of each is
 * bit-identical to an in-process `cbpdn` call (the same code, deterministic); `threads: 1` runs
 * them in this thread, one after the other.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cbpdn, type CbpdnResult } from './cbpdn.js';
import type { CbpdnJob } from './cbpdn_worker.js';

export type { CbpdnJob };

/** Default thread count: the cores Node may use (`os.availableParallelism()`), at most 2. */
export function defaultThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(2, n));
}

function workerUrl(): URL {
  // The worker file beside this module, with this module's own extension (.ts under tsx, .js in dist/).
  const ext = path.extname(fileURLToPath(import.meta.url));
  return new URL(`./cbpdn_worker${ext}`, import.meta.url);
}

/**
 * A worker running the entry module. Under tsx (the module is `.ts`; tests, notebooks) Node 20
 * does not hand the `--import tsx` loader to worker threads, so the worker registers tsx itself
 * before importing the entry; from dist/ the `.js` entry starts directly.
 */
function startWorker(): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}

function runInWorker(job: CbpdnJob): Promise<CbpdnResult> {
  return new Promise((resolve, reject) => {
    const w = startWorker();
    let done = false;
    w.once('message', (msg: { ok: boolean; result?: CbpdnResult; error?: string }) => {
      done = true;
      void w.terminate();
      if (msg.ok) resolve(msg.result!); else reject(new Error(`cbpdn worker: ${msg.error}`));
    });
    w.once('error', (e) => { if (!done) { done = true; reject(e); } });
    w.once('exit', (code) => { if (!done) { done = true; reject(new Error(`cbpdn worker exited with code ${code}`)); } });
    w.postMessage(job);
  });
}

/** Solves every job; results in the jobs' order. */
export async function cbpdnParallel(jobs: CbpdnJob[], threads = defaultThreads()): Promise<CbpdnResult[]> {
  if (threads <= 1 || jobs.length <= 1) {
    return jobs.map((j) => cbpdn(j.dict, j.S, j.width, j.height, j.lambda, j.options));
  }
  const out: CbpdnResult[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await runInWorker(jobs[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, lane));
  return out;
}
