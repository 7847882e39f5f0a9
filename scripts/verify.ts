/**
 * `npm run verify [-- tno flir]`: fuses every TNO and FLIR pair with the authors' pretrained
 * weights and compares with the authors' published outputs (Test_result/*_TCSVT). Acceptance:
 * every pixel within 1 grey level and at most 0.1 % of pixels differing at all.
 * `npm run verify -- didfuse [tno flir]`: the same for DIDFuse against its published
 * Test_result/*_IJCAI (all 40 TNO + 40 FLIR pairs by default); our 8-bit outputs are kept in
 * results/tmp/didfuse/<set>/F{i}.png, where scripts/method-table.ts --reuse scores them.
 */
import { initBackend } from '../lib/backend/select.js';
import { loadWeights } from '../lib/model/checkpoint.js';
import { parityWithAuthors, mergeParity, type PairParity } from '../lib/report/parity.js';
import type { DatasetName } from '../lib/data/datasets.js';

const args = process.argv.slice(2);
const method = args[0] === 'didfuse' ? args.shift()! : 'auif';
const datasets = (args.length ? args : ['tno', 'flir']) as DatasetName[];
const backend = await initBackend();
const onPair = (d: string) => (p: PairParity) => console.log(`${d} F${p.index}  ${p.width}×${p.height}  max |Δ| ${p.maxDiff}  differing ${p.differing}/${p.total}  ${p.ms.toFixed(0)} ms`);
let run: (d: DatasetName) => Promise<PairParity[]>;
if (method === 'didfuse') {
  const { didfuse, DIDFUSE_PUBLISHED } = await import('../lib/methods/didfuse.js');
  const { parityWithPublished } = await import('../lib/report/method_parity.js');
  const fuser = await didfuse.load();
  run = (d) => {
    const pub = DIDFUSE_PUBLISHED[d];
    if (!pub) throw new Error(`DIDFuse published no fused images for '${d}' (verify: tno, flir)`);
    return parityWithPublished(d, fuser, pub, { onPair: onPair(d), keepDir: `results/tmp/didfuse/${d}` });
  };
} else {
  const params = await loadWeights();
  run = (d) => parityWithAuthors(d, params, { onPair: onPair(d) });
}
let ok = true;
for (const d of datasets) {
  const rows = await run(d);
  const all = mergeParity(rows);
  const frac = all.differing / all.total;
  const pass = all.maxDiff <= 1 && frac <= 0.001;
  ok &&= pass;
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`\n${method === 'didfuse' ? 'DIDFuse ' : ''}${d.toUpperCase()}: ${rows.length} pairs, max |Δ| = ${all.maxDiff} grey level(s), ${all.differing} of ${all.total} pixels differ (${(100 * frac).toFixed(4)} %), `
    + `pairs with any difference: ${rows.filter((r) => r.differing > 0).length}; median ${ms[ms.length >> 1].toFixed(0)} ms/pair on ${backend.name} → ${pass ? 'PASS' : 'FAIL'}\n`);
}
process.exitCode = ok ? 0 : 1;
