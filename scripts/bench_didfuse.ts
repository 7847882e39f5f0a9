/**
 * The DIDFuse section of `npm run bench`: `fuse()` of the TNO 768×576 pair IR1/VIS1 through the
 * method interface (native conv addon): median wall time and CPU time of `runs` runs after a
 * warm-up; one run per instruction-set variant of the addon (AVX-512F / AVX2+FMA / portable) and,
 * on a 192×144 crop, the tfjs path against the native one — all ratios measured in the same run.
 * Alone: `node --import tsx scripts/bench_didfuse.ts [runs]`.
 */
import { fileURLToPath } from 'node:url';
import { readGrey, type GreyImage } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import { convEngine } from '../lib/kernels/native.js';
import { didfuse } from '../lib/methods/didfuse.js';
import type { Fuser } from '../lib/methods/types.js';
import { median } from '../lib/util/stats.js';

export interface DidfuseBench {
  width: number; height: number; runs: number; isa: string; threads: number;
  median_ms: number; runs_ms: number[]; median_cpu_s: number;
  /** One 768×576 run per addon variant available here. */
  isa_ms: Record<string, number>;
  /** 192×144 crop: tfjs (active backend) vs native, median of 3 each. */
  crop: { width: number; height: number; native_ms: number; tfjs_ms: number; speedup: number };
}

async function time(f: Fuser, ir: GreyImage, vis: GreyImage, n: number): Promise<{ ms: number[]; cpu: number[] }> {
  const ms: number[] = [], cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    await f.fuse(ir, vis);
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { ms, cpu };
}

function crop(img: GreyImage, w: number, h: number): GreyImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(y * img.width, y * img.width + w), y * w);
  return { width: w, height: h, data };
}

export async function benchDidfuse(runs = 3): Promise<DidfuseBench> {
  const ir = await readGrey(await stagedFile('Datasets/Test_data_TNO/IR1.bmp'));
  const vis = await readGrey(await stagedFile('Datasets/Test_data_TNO/VIS1.bmp'));
  const k = convEngine(true)!;
  const native = await didfuse.load({ engine: 'native' });
  const viaTf = await didfuse.load({ engine: 'tfjs' });
  try {
    await native.fuse(crop(ir, 64, 64), crop(vis, 64, 64)); // warm-up
    const { isa, threads } = k.convInfo();
    const main = await time(native, ir, vis, runs);
    const isa_ms: Record<string, number> = {};
    for (const v of ['avx512', 'avx2', 'portable'] as const) {
      try { k.setIsa(v); } catch { continue; }
      isa_ms[v] = Math.round((await time(native, ir, vis, 1)).ms[0]);
    }
    k.setIsa(isa as 'avx512');
    const [ci, cv] = [crop(ir, 192, 144), crop(vis, 192, 144)];
    await viaTf.fuse(ci, cv);
    const n = median((await time(native, ci, cv, 3)).ms), t = median((await time(viaTf, ci, cv, 3)).ms);
    return {
      width: ir.width, height: ir.height, runs, isa, threads, median_ms: median(main.ms), runs_ms: main.ms.map(Math.round), median_cpu_s: median(main.cpu),
      isa_ms, crop: { width: 192, height: 144, native_ms: n, tfjs_ms: t, speedup: t / n },
    };
  } finally { native.dispose(); viaTf.dispose(); }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { initBackend } = await import('../lib/backend/select.js');
  await initBackend();
  console.log(JSON.stringify(await benchDidfuse(Number(process.argv[2] ?? 3)), null, 2));
}
