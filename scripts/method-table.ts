/**
 * `node --import tsx scripts/method-table.ts [didfuse] [--reuse] [tno flir nir]`: a method's table —
 * fuses every pair of the test sets (into results/tmp/<method>/), scores our images and the
 * authors' published ones with all 13 metrics (`printed` convention), sets them beside the printed
 * row of paper_tables.csv and writes results/<method>/quantitative.{md,csv,json}. `--reuse`: score
 * the images a previous run (or `npm run verify -- didfuse`) left there instead of fusing a set again.
 */
import { initBackend } from '../lib/backend/select.js';
import { getMethod } from '../lib/methods/index.js';
import { DIDFUSE_PUBLISHED } from '../lib/methods/didfuse.js';
import { medianTimeOf, methodQuantitative, writeMethodQuantitative } from '../lib/report/method_quantitative.js';
import { isDatasetName, type DatasetName } from '../lib/data/datasets.js';
import type { PaperSource } from '../lib/report/paper_table.js';

const reuseFused = process.argv.includes('--reuse');
const args = process.argv.slice(2).filter((a) => a !== '--' && a !== '--reuse');
const method = args[0] && !isDatasetName(args[0]) ? args.shift()! : 'didfuse';
const sets = (args.length ? args : ['tno', 'flir', 'nir']) as DatasetName[];
const known: Record<string, { paper: { source: PaperSource; method: string }; published: typeof DIDFUSE_PUBLISHED }> = {
  didfuse: { paper: { source: 'DIDFuse', method: 'DIDFuse' }, published: DIDFUSE_PUBLISHED },
};
if (!known[method]) throw new Error(`method-table: no printed row / published images known for '${method}' (known: ${Object.keys(known).join(', ')})`);
await initBackend();
const fuser = await getMethod(method).load();
const q = await methodQuantitative({
  fuser, sets, fusedDir: `results/tmp/${method}`, convention: 'printed', reuseFused, ...known[method],
  onPair: (s, i, ms) => process.stderr.write(`${s} F${i} ${ms.toFixed(0)} ms\n`),
});
fuser.dispose();
for (const f of await writeMethodQuantitative(`results/${method}`, q)) console.log(`wrote ${f}`);
const t = medianTimeOf(q, 768, 576);
if (t) console.log(`median ${(t.ms / 1000).toFixed(2)} s per 768×576 pair (${t.pairs} pairs)`);
