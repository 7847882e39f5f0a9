/**
 * Dev check (issue 16): DenseFuse and DeepFuse, every variant, on TNO pairs 1..5 against the
 * reference PNGs in ../shared/reference/{densefuse,deepfuse}/ — pixels differing, share, max.
 *
 *   node --import tsx scripts/baselines-parity.ts [pairs, default 1-5]
 */
import path from 'node:path';
import { initBackend } from '../lib/backend/select.js';
import { readGrey, readGrey8 } from '../lib/io/image.js';
import { stagedFile } from '../lib/data/stage.js';
import { referenceFile } from '../lib/data/reference.js';
import { getMethod, type LoadOptions } from '../lib/methods/index.js';

const [lo, hi] = (process.argv[2] ?? '1-5').split('-').map(Number);
await initBackend({ quiet: true });
const variants: [string, LoadOptions, string][] = [
  ['densefuse', {}, 'densefuse/F{i}_tf1e2_sum.png'],
  ['densefuse', { model: 'pytorch' }, 'densefuse/F{i}_addition.png'],
  ['densefuse', { model: 'pytorch', rule: 'l1' }, 'densefuse/F{i}_l1.png'],
  ['deepfuse', {}, 'deepfuse/F{i}_huili.png'],
  ['deepfuse', { model: 'official' }, 'deepfuse/F{i}.png'],
];
for (const [name, opts, pattern] of variants) {
  const f = await getMethod(name).load(opts);
  let diff = 0, n = 0, max = 0;
  const per: string[] = [];
  for (let i = lo; i <= (hi ?? lo); i++) {
    const ir = await readGrey(await stagedFile(`Datasets/Test_data_TNO/IR${i}.bmp`));
    const vis = await readGrey(await stagedFile(`Datasets/Test_data_TNO/VIS${i}.bmp`));
    const t0 = performance.now();
    const { F } = await f.fuse(ir, vis);
    const ms = performance.now() - t0;
    const ref = await readGrey8(referenceFile(pattern.replace('{i}', String(i))));
    let d = 0;
    for (let k = 0; k < ref.data.length; k++) { const e = Math.abs(Math.round(F.data[k] * 255) - ref.data[k]); if (e) d++; if (e > max) max = e; }
    diff += d; n += ref.data.length;
    per.push(`F${i} ${d} (${ms.toFixed(0)} ms)`);
  }
  f.dispose();
  console.log(`${name} ${JSON.stringify(opts)} vs ${path.dirname(pattern)}: ${diff} of ${n} pixels differ (${(100 * diff / n).toFixed(4)} %), max ${max} — ${per.join(', ')}`);
}
