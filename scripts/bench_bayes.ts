/**
 * `npm run bench` part: Bayesian fusion (BF, lib/methods/bayes.ts) per pair — on the TNO 768×576
 * pair IR1/VIS1 (median of N after one warm-up, wall and CPU time of this one thread) and on
 * random pairs of other sizes (640×480, 512×340 = 4·5·17, 620×450 with its Bluestein rows of
 * 620 = 4·5·31). For comparison: GNU Octave runs the authors' BayesFusion.m on a 768×576 pair in
 * 1.9–3.7 s on this kind of machine (../shared/upstream/bayesfusion/README.md).
 */
import os from 'node:os';
import { getMethod } from '../lib/methods/index.js';
import { readGrey, type GreyImage } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import { median } from '../lib/util/stats.js';

function randomPair(width: number, height: number, seed: number): [GreyImage, GreyImage] {
  let s = seed >>> 0;
  const img = () => ({ width, height, data: Float32Array.from({ length: width * height }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return Math.fround((s >>> 24) / 255); }) });
  return [img(), img()];
}

export interface BayesBench {
  runs: number;
  median_ms: number;
  median_cpu_ms: number;
  runs_ms: number[];
  sizes: { width: number; height: number; runs: number; median_ms: number; median_cpu_ms: number }[];
  loadavg_1min: number;
}

export async function benchBayes(runs: number, quick = false): Promise<BayesBench> {
  const fuser = await getMethod('bayes').load();
  const time = async (ir: GreyImage, vis: GreyImage, n: number) => {
    await fuser.fuse(ir, vis); // warm-up (JIT)
    const wall: number[] = [], cpu: number[] = [];
    for (let i = 0; i < n; i++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      await fuser.fuse(ir, vis);
      const c = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    return { wall, cpu };
  };
  const ir = await readGrey(await stagedFile('Datasets/Test_data_TNO/IR1.bmp'));
  const vis = await readGrey(await stagedFile('Datasets/Test_data_TNO/VIS1.bmp'));
  const main = await time(ir, vis, runs);
  const sizes: BayesBench['sizes'] = [];
  for (const [w, h] of quick ? [[640, 480]] : [[640, 480], [512, 340], [620, 450]]) {
    const n = quick ? 1 : 3;
    const t = await time(...randomPair(w, h, w + h), n);
    sizes.push({ width: w, height: h, runs: n, median_ms: median(t.wall), median_cpu_ms: median(t.cpu) });
  }
  return { runs, median_ms: median(main.wall), median_cpu_ms: median(main.cpu), runs_ms: main.wall.map(Math.round), sizes, loadavg_1min: os.loadavg()[0] };
}
