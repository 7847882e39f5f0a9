/**
 * Outputs that collide with inputs, and folders that are files (issue [R] rows 1 and 4), through
 * the CLI: refused with one line naming the path, exit 2, and the input untouched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../lib/cli/main.js';
import { saveWeights } from '../../lib/model/checkpoint.js';
import { paramsFromStateDict, disposeParams, expectedKeys } from '../../lib/model/params.js';
import type { StateDict } from '../../lib/io/tensor_record.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('cli/paths');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-cli-paths-'));
let errors: string[] = [];
const origError = console.error;
const origWrite = process.stderr.write.bind(process.stderr);
let ir: string, vis: string, weights: string;

t.before(async () => {
  await useBackend('wasm');
  const d = Buffer.alloc(40 * 30);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7) & 255;
  ir = path.join(tmp, 'ir.png'); vis = path.join(tmp, 'vis.png');
  await sharp(d, { raw: { width: 40, height: 30, channels: 1 } }).png().toFile(ir);
  await sharp(d.reverse(), { raw: { width: 40, height: 30, channels: 1 } }).png().toFile(vis);
  const sd: StateDict = new Map();
  for (const [k, shape] of expectedKeys(1, 4)) {
    const n = shape.reduce((a, b) => a * b, 1);
    sd.set(k, k.endsWith('num_batches_tracked') ? { dtype: 'int64', shape, data: BigInt64Array.of(0n) } : { dtype: 'float32', shape, data: new Float32Array(n).fill(k.endsWith('var') ? 1 : 0.05) });
  }
  const p = paramsFromStateDict(sd);
  weights = path.join(tmp, 'w.safetensors');
  await saveWeights(weights, p);
  disposeParams(p);
});
t.before.each(() => {
  errors = [];
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  process.stderr.write = ((c: string | Uint8Array) => { errors.push(String(c)); return true; }) as typeof process.stderr.write;
});
t.after.each(() => { console.error = origError; process.stderr.write = origWrite; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('fuse --out naming the weights file is refused; the weights are untouched', async () => {
  const before = fs.readFileSync(weights);
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', weights]), 2);
  assert.match(errors.join('\n'), /--out .*w\.safetensors is the --weights input; refusing to overwrite/);
  assert.ok(fs.readFileSync(weights).equals(before));
});

t('fuse --out naming an input image (also through a symlink) is refused', async () => {
  const before = fs.readFileSync(vis);
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', vis]), 2);
  assert.match(errors.join('\n'), /is the --vis input/);
  const link = path.join(tmp, 'link.png');
  fs.symlinkSync(ir, link);
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', link]), 2);
  assert.match(errors.join('\n'), /is the --ir input/);
  assert.ok(fs.readFileSync(vis).equals(before));
});

t('the control: the same command with a fresh --out writes the image', async () => {
  const out = path.join(tmp, 'sub', 'F.png');
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', out]), 0, errors.join('\n'));
  const meta = await sharp(out).metadata();
  assert.is(meta.width, 40);
});

t('fuse --out whose parent is a file, or that is a folder: one line naming it', async () => {
  const file = path.join(tmp, 'plain');
  fs.writeFileSync(file, 'x');
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', path.join(file, 'F.png')]), 2);
  assert.match(errors.join('\n'), /plain is a file, not a folder/);
  errors = [];
  assert.is(await main(['fuse', '--ir', ir, '--vis', vis, '--weights', weights, '--out', tmp]), 2);
  assert.match(errors.join('\n'), /is a folder; a file name is needed there/);
  assert.is(fs.readFileSync(file, 'utf8'), 'x');
});

t('fuse --dataset / eval --out / train --out at an existing file: one line, no stack trace', async () => {
  const file = path.join(tmp, 'plain2');
  fs.writeFileSync(file, 'x');
  for (const args of [
    ['fuse', '--dataset', 'tno', '--out', file],
    ['eval', '--dataset', 'tno', '--fused', 'authors', '--pairs', '1', '--out', file],
    ['train', '--out', file, '--epochs', '1'],
  ]) {
    errors = [];
    const code = await main(args);
    const text = errors.join('\n');
    assert.is(code, 2, `${args.join(' ')}: ${text}`);
    assert.match(text, /plain2 is a file/);
    assert.not.match(text, /\n\s+at /, 'no stack trace');
  }
  assert.is(fs.readFileSync(file, 'utf8'), 'x');
});

t.run();
