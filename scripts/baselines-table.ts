/**
 * Dev check: fuses every TNO pair with the given methods (registry defaults or --option K=V) and
 * prints the means of EN, AG, SCD (`paper` convention) — the columns that carry over from the
 * AUIF table (../shared/upstream/baselines/metricslab/README.md) — and the median time per pair.
 *
 *   node --import tsx scripts/baselines-table.ts adf tif [--option scale=byte] [--pairs 1-40]
 */
import { getMethod } from '../lib/methods/index.js';
import { datasetPairs } from '../lib/data/datasets.js';
import { readGrey, unitToU8 } from '../lib/io/image.js';
import { averageGradient, entropy, scd } from '../lib/metrics/index.js';
import { initBackend } from '../lib/backend/select.js';
import { methodOptions } from '../lib/cli/fuse.js';
import { median } from '../lib/util/stats.js';

const args = process.argv.slice(2);
const names: string[] = [];
const option: string[] = [];
let pairsArg = '1-40';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--option') option.push(args[++i]);
  else if (args[i] === '--pairs') pairsArg = args[++i];
  else names.push(args[i]);
}
const [lo, hi] = pairsArg.split('-').map(Number);
await initBackend({ quiet: true });
const pairs = (await datasetPairs('tno', { quiet: true })).filter((p) => p.index >= lo && p.index <= (hi ?? lo));
for (const name of names) {
  const fuser = await getMethod(name).load(methodOptions({ option }));
  const acc = { EN: 0, AG: 0, SCD: 0 };
  const ms: number[] = [];
  for (const p of pairs) {
    const [ir, vis] = [await readGrey(p.ir), await readGrey(p.vis)];
    const t0 = performance.now();
    const { F } = await fuser.fuse(ir, vis);
    ms.push(performance.now() - t0);
    const f8 = { width: F.width, height: F.height, data: unitToU8(F.data) };
    const g = (x: typeof ir) => ({ width: x.width, height: x.height, data: unitToU8(x.data) });
    acc.EN += entropy(f8); acc.AG += averageGradient(f8); acc.SCD += scd(g(ir), g(vis), f8);
  }
  fuser.dispose();
  const n = pairs.length;
  console.log(`${name} ${option.join(' ')} (${n} TNO pairs): EN ${(acc.EN / n).toFixed(3)}  AG ${(acc.AG / n).toFixed(3)}  SCD ${(acc.SCD / n).toFixed(3)}  median ${median(ms).toFixed(0)} ms/pair`);
}
