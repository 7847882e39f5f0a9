/**
 * Writes `datasets/reference/<method>/<name>.stats.json` for reference images that are whole fused
 * images and therefore not committed (`../shared/reference/{densefuse,deepfuse}/*.png`, made by
 * the workplace's re-implementations of the authors' code from the upstream weights): width,
 * height, the sha256 of the decoded pixels, the 256-bin grey histogram, the row sums and the
 * column sums (lib/data/reference_stats.ts). The parity tests compare a port's output with these
 * when the PNG is not at hand (test/methods/_parity.ts); test/data/reference_stats.test.ts
 * recomputes them from the PNG wherever it is, so they cannot go stale.
 *
 *   node --import tsx scripts/make-reference-stats.ts [name.png …]   (default: the seven the tests use)
 *
 * The PNGs are read from `$AUIF_REFERENCE_DIR` when set, else `../shared/reference`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { readGrey8 } from '../lib/io/image.js';
import { PROJECT_REFERENCE_DIR } from '../lib/data/reference.js';
import { packageRoot } from '../lib/data/manifest.js';
import { formatGreyStats, greyStats, readGreyStats, statsNameFor } from '../lib/data/reference_stats.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

/** How each reference image was made (from ../shared/reference/README.md, in short). */
const HOW: Record<string, string> = {
  'densefuse/F{i}_tf1e2_sum.png': "own re-implementation of DenseFuse (identical, max diff 0.0, to densefuse-pytorch's module) with the TF λ = 1e2 checkpoint (hli1221/imagefusion_densefuse @ ef23f0f, models/densefuse_gray, converted to PyTorch layout), TNO pair {i}, sum rule φ_ir + φ_vis, output min–max to 0..255, rounded — the variant behind the AUIF/DIDFuse tables",
  'densefuse/F{i}_addition.png': "own re-implementation of DenseFuse with densefuse-pytorch's densefuse_gray.model, TNO pair {i}, the PyTorch test code's 'addition' = mean (φ_ir + φ_vis)/2, output clamp(0, 255) then truncation to uint8",
  'densefuse/F{i}_l1.png': "own re-implementation of DenseFuse with densefuse-pytorch's densefuse_gray.model, TNO pair {i}, the TF code's l1 rule (per-pixel channel sum of |φ|, weights C_k/ΣC, no window), output clamp(0, 255) then truncation to uint8",
  'deepfuse/F{i}_huili.png': "own re-implementation of Hui Li's TF DeepFuse (hli1221/Imagefusion_deepfuse @ 19dd370, epoch-4 checkpoint), TNO pair {i}, grey fed as both luminance inputs, output per-image min–max to 0..255, rounded — the variant behind the AUIF/DIDFuse tables",
  'deepfuse/F{i}.png': 'own re-implementation of DeepFuse (verified against the official repository\'s published luminance outputs: max 1 grey level, < 0.02 % of pixels) with the official DF_model_Epoch99.npz (kernels rotated 180°), TNO pair {i}, grey fed as both luminance inputs, output min–max to 0..255, rounded',
};

/** The reference images the parity tests use (test/methods/densefuse.test.ts, deepfuse.test.ts). */
const TESTED_REFERENCE_IMAGES = [
  'densefuse/F1_tf1e2_sum.png', 'densefuse/F5_tf1e2_sum.png', 'densefuse/F5_addition.png', 'densefuse/F5_l1.png',
  'deepfuse/F1_huili.png', 'deepfuse/F5_huili.png', 'deepfuse/F5.png',
];

function how(rel: string): string {
  for (const [pattern, text] of Object.entries(HOW)) {
    const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace('{i}', '(\\d+)')}$`);
    const m = re.exec(rel);
    if (m) return text.replace('{i}', m[1]);
  }
  throw new Error(`make-reference-stats: no provenance known for '${rel}' (known: ${Object.keys(HOW).join(', ')})`);
}

async function main(): Promise<number> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : TESTED_REFERENCE_IMAGES;
  const srcDir = process.env.AUIF_REFERENCE_DIR ? path.resolve(process.env.AUIF_REFERENCE_DIR) : path.resolve(packageRoot, '../shared/reference');
  const srcName = process.env.AUIF_REFERENCE_DIR ? '$AUIF_REFERENCE_DIR' : '../shared/reference';
  for (const rel of names) {
    let made: string;
    try { made = how(rel); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); return 2; }
    const src = path.join(srcDir, rel);
    if (!fs.existsSync(src)) { process.stderr.write(`make-reference-stats: ${src} not found (set AUIF_REFERENCE_DIR to the folder holding ${rel})\n`); return 1; }
    const img = await readGrey8(src);
    const s = greyStats(img);
    const dest = path.join(PROJECT_REFERENCE_DIR, statsNameFor(rel));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    writeFileAtomicSync(dest, formatGreyStats({
      what: `derived values of the reference image ${rel} (a whole fused image, not committed): sha256 of its W·H decoded 8-bit pixels (row-major), 256-bin grey histogram, row sums, column sums; see lib/data/reference_stats.ts`,
      made_from: { file: `${srcName}/${rel}`, sha256: crypto.createHash('sha256').update(fs.readFileSync(src)).digest('hex'), how: made },
      made_by: 'scripts/make-reference-stats.ts',
      ...s,
    }));
    readGreyStats(dest); // the written file passes its own checks
    console.log(`${path.relative(packageRoot, dest)}: ${s.width}×${s.height}, sha256 ${s.sha256.slice(0, 12)}…`);
  }
  return 0;
}

process.exitCode = await main();
