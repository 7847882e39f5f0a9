/**
 * `npm run verify [-- tno flir]`: fuses every TNO and FLIR pair with the authors' pretrained
 * weights and compares with the authors' published outputs (Test_result/*_TCSVT). Acceptance:
 * every pixel within 1 grey level and at most 0.1 % of pixels differing at all.
 */
import { initBackend } from '../lib/backend/select.js';
import { loadWeights } from '../lib/model/checkpoint.js';
import { parityWithAuthors, mergeParity } from '../lib/report/parity.js';
import type { DatasetName } from '../lib/data/datasets.js';

const datasets = (process.argv.slice(2).length ? process.argv.slice(2) : ['tno', 'flir']) as DatasetName[];
const backend = await initBackend();
const params = await loadWeights();
let ok = true;
for (const d of datasets) {
  const rows = await parityWithAuthors(d, params, {
    onPair: (p) => console.log(`${d} F${p.index}  ${p.width}×${p.height}  max |Δ| ${p.maxDiff}  differing ${p.differing}/${p.total}  ${p.ms.toFixed(0)} ms`),
  });
  const all = mergeParity(rows);
  const frac = all.differing / all.total;
  const pass = all.maxDiff <= 1 && frac <= 0.001;
  ok &&= pass;
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`\n${d.toUpperCase()}: ${rows.length} pairs, max |Δ| = ${all.maxDiff} grey level(s), ${all.differing} of ${all.total} pixels differ (${(100 * frac).toFixed(4)} %), `
    + `pairs with any difference: ${rows.filter((r) => r.differing > 0).length}; median ${ms[ms.length >> 1].toFixed(0)} ms/pair on ${backend.name} → ${pass ? 'PASS' : 'FAIL'}\n`);
}
process.exitCode = ok ? 0 : 1;
