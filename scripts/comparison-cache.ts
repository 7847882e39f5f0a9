/**
 * `npm run comparison-cache`: fills notebook 07's cache of fused images ahead of the notebook, so
 * that the full preset (CSR alone needs about 47 s per 768×576 pair, ~1.7 h for the 132 test
 * pairs on 2 cores) can run in the background, be stopped at any point and resumed later.
 *
 * It calls exactly what the notebook calls — `fuseCached(method, set, indices, CACHE)` of
 * lib/report/comparison.ts, with CACHE = `results/tmp/comparison` (git-ignored) — so every image
 * it writes is one the notebook would have written, and the notebook then only reuses them.
 * Pairs already cached are skipped; a stopped run loses at most the pair in progress (each image
 * is written under a temporary name and renamed).
 *
 *   npm run comparison-cache                          every method, every pair of TNO, FLIR, RGB-NIR
 *   npm run comparison-cache -- --method csr          one method (repeatable)
 *   npm run comparison-cache -- --set tno --set flir  some sets
 *
 * The cheap methods run first, CSR last. Progress goes to stdout: pairs done, seconds per pair,
 * ETA of the method in progress.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { initBackend } from '../lib/backend/select.js';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../lib/data/datasets.js';
import { listMethods } from '../lib/methods/index.js';
import { cachedFusedDir, fuseCached } from '../lib/report/comparison.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(root, 'results', 'tmp', 'comparison');

function fail(msg: string): never {
  process.stderr.write(`comparison-cache: ${msg}\n`);
  process.exit(2);
}

const known = listMethods().map((m) => m.name);
const methods: string[] = [];
const sets: DatasetName[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const k = argv[i];
  const v = argv[i + 1];
  if (k === '--method' && v !== undefined) {
    if (!known.includes(v)) fail(`unknown method ${JSON.stringify(v)} (known: ${known.join(', ')})`);
    methods.push(v); i++;
  } else if (k === '--set' && v !== undefined) {
    if (!(DATASET_NAMES as readonly string[]).includes(v)) fail(`unknown set ${JSON.stringify(v)} (known: ${DATASET_NAMES.join(', ')})`);
    sets.push(v as DatasetName); i++;
  } else {
    fail(`unknown argument ${JSON.stringify(k)} (known: --method NAME, --set ${DATASET_NAMES.join('|')})`);
  }
}
// CSR is by far the slowest: last, so that everything else is ready early.
const order = (methods.length ? methods : known).slice().sort((a, b) => Number(a === 'csr') - Number(b === 'csr'));
const chosenSets = sets.length ? sets : [...DATASET_NAMES];

const backend = await initBackend({ quiet: true });
process.stdout.write(`comparison-cache: ${CACHE}; tfjs backend ${backend.name}; methods ${order.join(', ')}; sets ${chosenSets.join(', ')}\n`);
for (const name of order) {
  for (const set of chosenSets) {
    const n = DATASETS[set].pairs;
    const indices = Array.from({ length: n }, (_, i) => i + 1);
    const dir = cachedFusedDir(CACHE, name, set);
    const cached = indices.filter((i) => fs.existsSync(path.join(dir, `F${i}.png`))).length;
    let done = 0;
    let spent = 0;
    const t0 = Date.now();
    const r = await fuseCached(name, set, indices, CACHE, {
      onPair: (index, ms) => {
        done++; spent += ms;
        const left = n - cached - done;
        process.stdout.write(`[${name} ${set}] F${index}.png ${(ms / 1000).toFixed(1)} s; ${n - left}/${n}; ETA ${Math.round(left * spent / done / 1000)} s\n`);
      },
    });
    process.stdout.write(`comparison-cache: ${name} ${set}: fused ${r.fused.length}, reused ${r.reused.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${cachedFusedDir(CACHE, name, set)}\n`);
  }
}
process.stdout.write('comparison-cache: done\n');
