/**
 * Writes `datasets/reference/auif_pretrained.sha256.json`: per tensor of the authors' weights
 * converted by PyTorch (`../shared/reference/auif_pretrained.safetensors`, not committed: it IS the
 * upstream weights), its dtype, shape and the sha256 of its little-endian bytes. The checkpoint
 * reader's output for the staged `Models/*.model` files is tested against these digests
 * (test/model/params.test.ts, test/io/torch_checkpoint.test.ts).
 *
 *   node --import tsx scripts/make-reference-digests.ts [path/to/auif_pretrained.safetensors]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors } from '../lib/io/safetensors.js';
import { tensorBytes } from '../lib/io/tensor_record.js';
import { PROJECT_REFERENCE_DIR } from '../lib/data/reference.js';
import { packageRoot } from '../lib/data/manifest.js';
import { writeFileAtomicSync } from '../lib/io/atomic.js';

const src = process.argv[2] ?? path.resolve(packageRoot, '../shared/reference/auif_pretrained.safetensors');
const bytes = fs.readFileSync(src);
const { tensors } = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
const out: Record<string, { dtype: string; shape: number[]; sha256: string }> = {};
for (const [k, t] of tensors) {
  out[k] = { dtype: t.dtype, shape: [...t.shape], sha256: crypto.createHash('sha256').update(tensorBytes(t)).digest('hex') };
}
const doc = {
  what: "per-tensor sha256 of the AUIF authors' pretrained weights (Models/TCSVT_*.model at 8f54650), key order as in auif_pretrained.safetensors",
  made_from: `auif_pretrained.safetensors (sha256 ${crypto.createHash('sha256').update(bytes).digest('hex')}), converted bit for bit by PyTorch 1.13; see datasets/reference/README.md`,
  tensors: out,
};
const dest = path.join(PROJECT_REFERENCE_DIR, 'auif_pretrained.sha256.json');
writeFileAtomicSync(dest, `${JSON.stringify(doc, null, 1)}\n`);
console.log(`${dest}: ${tensors.size} tensors`);
