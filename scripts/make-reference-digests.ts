/**
 * Writes the per-tensor digests in `datasets/reference/` of weights that are upstream weights in
 * another format, so not committed (`../shared/README.md`): for each tensor its dtype, shape and
 * the sha256 of its little-endian bytes, in the file's key order.
 *
 * | digest file | made from | checked by |
 * | --- | --- | --- |
 * | `auif_pretrained.sha256.json` | `../shared/reference/auif_pretrained.safetensors` (the authors' `Models/*.model`, converted by PyTorch) | test/model/params.test.ts, test/io/torch_checkpoint.test.ts |
 * | `densefuse_tf_gray_1e2.sha256.json` | `../shared/upstream/densefuse/densefuse_tf_gray_1e2.safetensors` (DenseFuse TF λ = 1e2 checkpoint, PyTorch layout) | test/io/tf_checkpoint.test.ts |
 * | `huili_deepfuse_tf_epoch4.sha256.json` | `../shared/upstream/deepfuse/huili_deepfuse_tf_epoch4.safetensors` (Hui Li's DeepFuse TF epoch 4, PyTorch layout) | test/io/tf_checkpoint.test.ts |
 *
 *   node --import tsx scripts/make-reference-digests.ts [auif|densefuse-tf|deepfuse-huili …]   (default: all three)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors } from '../lib/io/safetensors.js';
import { tensorBytes } from '../lib/io/tensor_record.js';
import { PROJECT_REFERENCE_DIR } from '../lib/data/reference.js';
import { packageRoot } from '../lib/data/manifest.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

const SETS: Record<string, { src: string; dest: string; what: string; made: string }> = {
  auif: {
    src: '../shared/reference/auif_pretrained.safetensors', dest: 'auif_pretrained.sha256.json',
    what: "per-tensor sha256 of the AUIF authors' pretrained weights (Models/TCSVT_*.model at 8f54650), key order as in auif_pretrained.safetensors",
    made: 'auif_pretrained.safetensors (sha256 %s), converted bit for bit by PyTorch 1.13; see datasets/reference/README.md',
  },
  'densefuse-tf': {
    src: '../shared/upstream/densefuse/densefuse_tf_gray_1e2.safetensors', dest: 'densefuse_tf_gray_1e2.sha256.json',
    what: 'per-tensor sha256 of the DenseFuse TF checkpoint λ = 1e2 (hli1221/imagefusion_densefuse @ ef23f0f) in PyTorch layout (OIHW kernels, dense-block input groups reversed), key order as in densefuse_tf_gray_1e2.safetensors',
    made: 'densefuse_tf_gray_1e2.safetensors (sha256 %s) of ../shared/upstream/densefuse; see datasets/reference/README.md',
  },
  'deepfuse-huili': {
    src: '../shared/upstream/deepfuse/huili_deepfuse_tf_epoch4.safetensors', dest: 'huili_deepfuse_tf_epoch4.sha256.json',
    what: "per-tensor sha256 of Hui Li's DeepFuse TF re-implementation, epoch-4 checkpoint (hli1221/Imagefusion_deepfuse @ 19dd370), in PyTorch layout (OIHW kernels), key order as in huili_deepfuse_tf_epoch4.safetensors",
    made: 'huili_deepfuse_tf_epoch4.safetensors (sha256 %s) of ../shared/upstream/deepfuse; see datasets/reference/README.md',
  },
};

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SETS);
for (const name of names) {
  const set = SETS[name];
  if (!set) { console.error(`make-reference-digests: unknown set ${JSON.stringify(name)} (known: ${Object.keys(SETS).join(', ')})`); process.exit(2); }
  const src = path.resolve(packageRoot, set.src);
  const bytes = fs.readFileSync(src);
  const { tensors } = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const out: Record<string, { dtype: string; shape: number[]; sha256: string }> = {};
  for (const [k, t] of tensors) {
    out[k] = { dtype: t.dtype, shape: [...t.shape], sha256: crypto.createHash('sha256').update(tensorBytes(t)).digest('hex') };
  }
  const doc = { what: set.what, made_from: set.made.replace('%s', crypto.createHash('sha256').update(bytes).digest('hex')), tensors: out };
  const dest = path.join(PROJECT_REFERENCE_DIR, set.dest);
  writeFileAtomicSync(dest, `${JSON.stringify(doc, null, 1)}\n`);
  console.log(`${dest}: ${tensors.size} tensors`);
}
