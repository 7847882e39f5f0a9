/**
 * Child process of `measureEfficiency` (lib/report/comparison.ts): measures one method on one
 * pair and prints one JSON line ({@link MethodEfficiency}).
 *
 *   node dist/report/comparison_worker.js <method> <ir> <vis> <repeats>
 *
 * Memory: `process.resourceUsage().maxRSS` (the process's peak resident set, KiB) after the
 * backend is up and the images are read, and again after the last `fuse()`; their difference is
 * the peak that loading and fusing added.
 */
import { initBackend } from '../backend/select.js';
import { readGrey } from '../io/image.js';
import { getMethod } from '../methods/index.js';
import { median } from '../util/stats.js';

async function main(): Promise<void> {
  const [name, irFile, visFile, rep] = process.argv.slice(2);
  const repeats = Number(rep);
  await initBackend({ quiet: true });
  const [ir, vis] = await Promise.all([readGrey(irFile), readGrey(visFile)]);
  const method = getMethod(name);
  const rssBeforeKiB = process.resourceUsage().maxRSS;
  let t0 = performance.now();
  const fuser = await method.load();
  const loadMs = performance.now() - t0;
  const runsMs: number[] = [];
  for (let k = 0; k < repeats; k++) {
    t0 = performance.now();
    await fuser.fuse(ir, vis);
    runsMs.push(performance.now() - t0);
  }
  const rssPeakKiB = process.resourceUsage().maxRSS;
  const info = fuser.info;
  fuser.dispose();
  process.stdout.write(JSON.stringify({
    method: info.name, title: info.title, family: info.family, parameters: info.parameters,
    width: ir.width, height: ir.height, loadMs, runsMs, medianMs: median(runsMs),
    rssBeforeKiB, rssPeakKiB, rssDeltaKiB: rssPeakKiB - rssBeforeKiB,
  }) + '\n');
}

main().then(() => process.exit(0), (e: Error) => {
  process.stderr.write(`${e.name}: ${e.message}\n`);
  process.exit(1);
});
