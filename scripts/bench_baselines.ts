/**
 * The ported baselines' time per pair (issue 16): every registered method except AUIF, fused on
 * the TNO 768×576 pair IR1/VIS1 (same images, same run), median of N after one warm-up; for the
 * learned ones also with the native convolution disabled (tfjs fallback), so the ratio is
 * measured here (CSR: one run, no warm-up, and one more with its native ADMM iteration disabled,
 * AUIF_CSC_NATIVE=0, the TypeScript one). Used by `npm run bench`; standalone (`--only` times
 * one method, e.g. `--only csr`: the native and the TypeScript CSR back to back, ~2–3 min):
 *
 *   node --import tsx scripts/bench_baselines.ts [runs] [--only <method>]
 */
import { initBackend } from '../lib/backend/select.js';
import { readGrey } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import { getMethod, listMethods } from '../lib/methods/index.js';
import { median } from '../lib/util/stats.js';

export interface BaselineBench {
  method: string; runs_ms: number[]; median_ms: number; tfjs_median_ms?: number;
  /** CSR with the TypeScript ADMM iteration (AUIF_CSC_NATIVE=0), same pair, same run. */
  ts_median_ms?: number;
}

export async function benchBaselines(runs = 3, only?: string): Promise<BaselineBench[]> {
  const ir = await readGrey(await stagedFile('Datasets/Test_data_TNO/IR1.bmp'));
  const vis = await readGrey(await stagedFile('Datasets/Test_data_TNO/VIS1.bmp'));
  const time = async (name: string, n: number, warmUp = true) => {
    const f = await getMethod(name).load();
    if (warmUp) await f.fuse(ir, vis);
    const ts: number[] = [];
    for (let i = 0; i < n; i++) { const t0 = performance.now(); await f.fuse(ir, vis); ts.push(performance.now() - t0); }
    f.dispose();
    return ts;
  };
  const out: BaselineBench[] = [];
  const methods = listMethods().filter((m) => m.name !== 'auif' && (!only || m.name === only));
  if (only && methods.length === 0) throw new Error(`bench_baselines: no baseline method '${only}' (have ${listMethods().map((m) => m.name).join(', ')})`);
  for (const info of methods) {
    // CSR (minutes per pair: ~240 ADMM iterations of 64 FFTs) runs once, without a warm-up.
    const ts = info.name === 'csr' ? await time(info.name, 1, false) : await time(info.name, runs);
    const r: BaselineBench = { method: info.name, runs_ms: ts.map(Math.round), median_ms: median(ts) };
    if (info.name === 'csr') {
      process.env.AUIF_CSC_NATIVE = '0';
      try { r.ts_median_ms = median(await time(info.name, 1, false)); } finally { delete process.env.AUIF_CSC_NATIVE; }
    }
    if (info.family === 'learned') {
      process.env.AUIF_BASELINE_NATIVE = '0';
      try { r.tfjs_median_ms = median(await time(info.name, 1)); } finally { delete process.env.AUIF_BASELINE_NATIVE; }
    }
    out.push(r);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initBackend();
  const args = process.argv.slice(2);
  const at = args.indexOf('--only');
  const only = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const rows = await benchBaselines(Number(args[0] ?? 3), only);
  for (const r of rows) {
    console.log(`${r.method.padEnd(10)} ${r.median_ms.toFixed(0).padStart(7)} ms (runs ${r.runs_ms.join(', ')})` +
      `${r.tfjs_median_ms ? `   tfjs fallback ${r.tfjs_median_ms.toFixed(0)} ms → ×${(r.tfjs_median_ms / r.median_ms).toFixed(1)}` : ''}` +
      `${r.ts_median_ms ? `   TypeScript ADMM ${r.ts_median_ms.toFixed(0)} ms → ×${(r.ts_median_ms / r.median_ms).toFixed(2)}` : ''}`);
  }
}
