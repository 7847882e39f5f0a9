/**
 * Training faults (issue [R] rows 3, 4, 5, 8, 10): a diverging run stops naming the step and
 * keeps the last good checkpoint (never saving non-finite weights); an out folder that is a
 * file, a crop larger than the data, a second process in the same folder, a folder that holds
 * an earlier run — each refused with one clear message. Tiny runs on synthetic images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { train, TrainDivergedError, TrainLockError, acquireRunLock, LOCK_FILE, type TrainConfig } from '../../lib/train/index.js';
import { TrainConfigError } from '../../lib/train/config.js';
import { loadCheckpoint } from '../../lib/train/state.js';
import { disposeParams } from '../../lib/model/params.js';
import { useBackend } from '../helpers/fixture.js';

const t = suite('train/robustness');
let dir: string;
let images: string[];

t.before(async () => {
  await useBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-train-robust-'));
  images = [];
  for (let i = 0; i < 4; i++) {
    const [w, h] = [40 + 2 * i, 30 + i];
    const d = Buffer.alloc(w * h);
    for (let k = 0; k < d.length; k++) d[k] = (k * 7 + i * 31 + ((k * k) % 13) * 5) & 255;
    const f = path.join(dir, `img${i}.png`);
    await sharp(d, { raw: { width: w, height: h, channels: 1 } }).png().toFile(f);
    images.push(f);
  }
});
t.after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const tiny = (over: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ images, cropSize: 24, layers: 2, channels: 8, batchSize: 2, stepsPerEpoch: 1, epochs: 3, seed: 3, ...over });

async function rejection(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (e) { return e as Error; }
  assert.unreachable('expected a rejection');
  throw new Error('unreachable');
}

t('a NaN loss stops the run naming the step; the last good checkpoint stays; nothing non-finite is saved', async () => {
  const out = path.join(dir, 'diverge');
  // Epoch 1 at the normal rates, then every rate × 1e30 (gamma at milestone 1): the run diverges.
  const e = await rejection(train(tiny({ outDir: out, milestones: [1], gamma: 1e30 })));
  assert.instance(e, TrainDivergedError, e.message);
  assert.match(e.message, /training diverged at step \d+ \(epoch \d+, step 1\)|refusing to save non-finite weights/);
  assert.match(e.message, /last good checkpoint/);
  const state = loadCheckpoint(path.join(out, 'checkpoint.safetensors'));
  assert.ok(state.epoch >= 1, `a checkpoint of a good epoch is kept (epoch ${state.epoch})`);
  for (const [k, v] of state.weights) {
    if (v.dtype === 'float32') assert.ok((v.data as Float32Array).every(Number.isFinite), `${k} finite`);
  }
  assert.not.ok(fs.existsSync(path.join(out, LOCK_FILE)), 'the lock is released after the failure');
});

t("an 'outDir' that is a file is refused with one line naming it", async () => {
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const e = await rejection(train(tiny({ outDir: file })));
  assert.instance(e, TrainConfigError);
  assert.match(e.message, new RegExp(`${file.replace(/[.]/g, '\\.')} is a file, not a folder`));
  assert.is(fs.readFileSync(file, 'utf8'), 'x');
});

t('a crop larger than the smallest training image is refused, with both sizes', async () => {
  const e = await rejection(train(tiny({ cropSize: 100000 })));
  assert.instance(e, TrainConfigError);
  assert.is((e as TrainConfigError).key, 'cropSize');
  assert.match(e.message, /'cropSize' 100000 is larger than the smallest training image \(.*img0\.png: 40×30\)/);
});

t('a folder holding an earlier run (even only a log) is refused without --resume or --force', async () => {
  const out = path.join(dir, 'earlier');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'log.jsonl'), '{"epoch":1,"step":1,"iteration":1,"loss":0.5}\n');
  const e = await rejection(train(tiny({ outDir: out, epochs: 1 })));
  assert.instance(e, TrainConfigError);
  assert.match(e.message, /already holds a run \(log\.jsonl\)/);
  assert.match(fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8'), /"loss":0\.5/, 'the old log is untouched');
  const r = await train(tiny({ outDir: out, epochs: 1, force: true }));
  disposeParams(r.params);
  assert.ok(fs.existsSync(path.join(out, 'checkpoint.safetensors')));
  assert.not.match(fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8'), /"loss":0\.5/, 'force starts afresh');
});

t('a live lock refuses a second trainer; a stale lock is taken over with a message', async () => {
  const out = path.join(dir, 'locked');
  fs.mkdirSync(out);
  // A live process that is not us: a sleeping child.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(out, LOCK_FILE), `${child.pid}\n`);
    const e = await rejection(train(tiny({ outDir: out, epochs: 1 })));
    assert.instance(e, TrainLockError);
    assert.match(e.message, new RegExp(`process ${child.pid} is training there`));
  } finally {
    child.kill();
  }
  await new Promise((r) => child.once('exit', r));
  const msgs: string[] = [];
  const release = acquireRunLock(out, (m) => msgs.push(m));
  assert.match(msgs.join('\n'), new RegExp(`taking over the stale lock .*\\(process ${child.pid} is gone\\)`));
  assert.is(fs.readFileSync(path.join(out, LOCK_FILE), 'utf8').trim(), String(process.pid));
  release();
  assert.not.ok(fs.existsSync(path.join(out, LOCK_FILE)));
});

t.run();
