/** The Octave reference run of the CSR authors' code on two TNO crops (fixtures/README.md). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../lib/io/safetensors.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/csr_octave.safetensors');
const st = readSafetensors(file);

export const CROPS = ['crop1', 'crop5'] as const;
export type Crop = typeof CROPS[number];

/** A tensor of the fixture: `<crop>/<name>`, its data and shape. */
export function fx(crop: Crop, name: string): { data: ArrayLike<number>; shape: number[] } {
  const v = st.tensors.get(`${crop}/${name}`);
  if (!v) throw new Error(`${file}: no tensor ${crop}/${name}`);
  return { data: v.data as ArrayLike<number>, shape: v.shape };
}

/** Crop size [H, W]. */
export function cropSize(crop: Crop): [number, number] { const s = fx(crop, 'img1').shape; return [s[0], s[1]]; }

/** The crop's source of the fixture metadata ("TNO pair p: rows a..b, columns c..d"). */
export function cropBox(crop: Crop): { pair: number; y0: number; x0: number } {
  const m = /TNO pair (\d+): rows (\d+)\.\.\d+, columns (\d+)/.exec(st.metadata[`${crop}.crop`])!;
  return { pair: Number(m[1]), y0: Number(m[2]), x0: Number(m[3]) };
}

/** img/255 of the crop's image k (1 = IR, 2 = VIS), float64 as the original's double(img)/255. */
export function sourceUnit(crop: Crop, k: 1 | 2): Float64Array {
  return Float64Array.from(fx(crop, `img${k}`).data, (v) => v / 255);
}
