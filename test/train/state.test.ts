/**
 * Training checkpoints (lib/train/state.ts) under faults: weights + checkpoint are one atomic
 * unit (committed by the single rename of commit.json); a failed write or rename at any step,
 * or a kill between any two steps, leaves the previous pair in force (or, after the commit, the
 * new one) — never weights of one epoch beside a checkpoint of another — and recoverRun leaves
 * no partial file. Every loadCheckpoint error path, and resuming from a truncated or corrupt
 * checkpoint, gives one clear error naming the file.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import {
  CHECKPOINT_FILE, COMMIT_FILE, WEIGHTS_FILE, encodeState, loadCheckpoint, recoverRun, saveCheckpoint, weightsOnly, type TrainState,
} from '../../lib/train/state.js';
import { resolveConfig } from '../../lib/train/config.js';
import { initParams } from '../../lib/train/init.js';
import { Rng } from '../../lib/train/rng.js';
import { train } from '../../lib/train/index.js';
import { disposeParams, stateDictFromParams } from '../../lib/model/params.js';
import { encodeSafetensors, readSafetensors, writeSafetensors } from '../../lib/io/safetensors.js';
import { CheckpointError, tensorBytes, type StateDict } from '../../lib/io/tensor_record.js';
import { useBackend } from '../helpers/fixture.js';
import { projectRoot } from '../helpers/upstream.js';
import { listTree, withFault, type FaultOp } from '../helpers/faults.js';

const t = suite('train/state: atomic checkpoints, faults, error paths');
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'auif-state-'));
t.before(() => useBackend('cpu'));

/** A small state (2 layers × 4 filters) at `epoch`, with Adam moments that tell epochs apart. */
function state(epoch: number): TrainState {
  const cfg = resolveConfig({ layers: 2, channels: 4, epochs: 5, seed: 1 });
  const p = initParams(new Rng(3), { layers: 2, channels: 4 });
  const weights = stateDictFromParams(p);
  disposeParams(p);
  const w = weights.get('base.conv1.0.kernel')!;
  weights.set('base.conv1.0.kernel', { ...w, data: (w.data as Float32Array).map((v) => v + epoch) });
  const adam = new Map([['base.conv1.0.kernel', { step: epoch * 12, expAvg: new Float32Array(w.data.length).fill(epoch), expAvgSq: new Float32Array(w.data.length).fill(epoch / 10) }]]);
  return { weights, adam, epoch, stepInEpoch: 0, iteration: epoch * 12, rng: [1, 2, 3, epoch], perm: null, config: cfg };
}

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** The pair in `dir` is consistent: weights.safetensors = the checkpoint's weights; returns its epoch. */
function pairEpoch(dir: string): number {
  const ck = loadCheckpoint(path.join(dir, CHECKPOINT_FILE));
  const w = readSafetensors(path.join(dir, WEIGHTS_FILE));
  assert.is(w.metadata.epoch, String(ck.epoch), 'weights and checkpoint of the same epoch');
  const only = weightsOnly(ck.weights);
  assert.equal([...w.tensors.keys()], [...only.keys()]);
  for (const [k, v] of only) assert.ok(Buffer.from(tensorBytes(w.tensors.get(k)!)).equals(Buffer.from(tensorBytes(v))), k);
  const commit = JSON.parse(fs.readFileSync(path.join(dir, COMMIT_FILE), 'utf8'));
  assert.equal(commit.files, { [CHECKPOINT_FILE]: sha(path.join(dir, CHECKPOINT_FILE)), [WEIGHTS_FILE]: sha(path.join(dir, WEIGHTS_FILE)) });
  assert.is(commit.epoch, ck.epoch);
  return ck.epoch;
}

const FINAL = [CHECKPOINT_FILE, COMMIT_FILE, WEIGHTS_FILE].sort();

t('saveCheckpoint writes the pair and commit.json; a second save replaces all three consistently', async () => {
  const dir = tmpDir();
  try {
    await saveCheckpoint(dir, state(1));
    assert.equal(listTree(dir), FINAL);
    assert.is(pairEpoch(dir), 1);
    await saveCheckpoint(dir, state(2));
    assert.equal(listTree(dir), FINAL);
    assert.is(pairEpoch(dir), 2);
    const back = loadCheckpoint(path.join(dir, CHECKPOINT_FILE));
    assert.equal([back.iteration, back.rng, back.adam.get('base.conv1.0.kernel')!.step], [24, [1, 2, 3, 2], 24]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// saveCheckpoint's steps: write+rename checkpoint.next (1), weights.next (2), commit.json (3 = the commit), rename both into place (4, 5).
for (const op of ['write', 'rename'] as FaultOp[]) {
  const steps = op === 'write' ? 3 : 5;
  for (let nth = 1; nth <= steps; nth++) {
    t(`a failed ${op} #${nth} of ${steps} during a save: the error names the file; after recoverRun, one consistent pair and no partial file`, async () => {
      const dir = tmpDir();
      try {
        await saveCheckpoint(dir, state(1));
        const r = await withFault({ op, nth, when: (p) => path.dirname(p) === dir }, () => saveCheckpoint(dir, state(2)));
        assert.is(r.hits.length, 1);
        assert.instance(r.error, Error);
        assert.match((r.error as Error).message, /injected/);
        assert.ok((r.error as Error).message.includes(dir), (r.error as Error).message);
        await recoverRun(dir);
        assert.equal(listTree(dir), FINAL, 'no temporary, .next or partial file');
        // Before the commit (steps 1–3) the old pair stands; after it (renames 4, 5) the new one.
        assert.is(pairEpoch(dir), op === 'rename' && nth >= 4 ? 2 : 1);
        await saveCheckpoint(dir, state(3));
        assert.is(pairEpoch(dir), 3);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

t('a process killed before each rename of a save (5 points): recoverRun gives one consistent pair, old before the commit, new after', async () => {
  for (let k = 1; k <= 5; k++) {
    const dir = tmpDir();
    try {
      await saveCheckpoint(dir, state(1));
      const script = `
        import fs from 'node:fs';
        import { saveCheckpoint } from ${JSON.stringify(path.join(projectRoot, 'lib/train/state.ts'))};
        import { resolveConfig } from ${JSON.stringify(path.join(projectRoot, 'lib/train/config.ts'))};
        const s = JSON.parse(fs.readFileSync(0, 'utf8'));
        const f32 = (a) => Float32Array.from(a);
        const weights = new Map(s.weights.map(([k, t]) => [k, t.dtype === 'int64' ? { ...t, data: BigInt64Array.from(t.data.map(BigInt)) } : { ...t, data: f32(t.data) }]));
        const adam = new Map(s.adam.map(([k, a]) => [k, { step: a.step, expAvg: f32(a.expAvg), expAvgSq: f32(a.expAvgSq) }]));
        let n = 0;
        const rename = fs.promises.rename;
        fs.promises.rename = async (a, b) => { if (++n === ${k}) { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); } return rename(a, b); };
        await saveCheckpoint(${JSON.stringify(dir)}, { ...s, weights, adam, config: resolveConfig(s.config) });
      `;
      const s2 = state(2);
      const input = JSON.stringify({
        ...s2,
        weights: [...s2.weights].map(([key, v]) => [key, { dtype: v.dtype, shape: v.shape, data: Array.from(v.data as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x)) }]),
        adam: [...s2.adam].map(([key, a]) => [key, { step: a.step, expAvg: [...a.expAvg], expAvgSq: [...a.expAvgSq] }]),
        config: { layers: 2, channels: 4, epochs: 5, seed: 1 },
      });
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, input, encoding: 'utf8' });
      assert.is(r.signal, 'SIGKILL', `kill point ${k}: ${r.stderr}`);
      const actions = await recoverRun(dir);
      assert.ok(actions.length > 0, `kill point ${k}: something to recover`);
      assert.equal(listTree(dir), FINAL, `kill point ${k}: no partial file after recovery`);
      assert.is(pairEpoch(dir), k <= 3 ? 1 : 2, `kill point ${k}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

t('recoverRun refuses a committed file that is missing or altered, naming it', async () => {
  const dir = tmpDir();
  try {
    await saveCheckpoint(dir, state(1));
    const w = path.join(dir, WEIGHTS_FILE);
    await writeSafetensors(w, weightsOnly(state(0).weights)); // weights of another epoch
    try {
      await recoverRun(dir);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, CheckpointError);
      assert.ok((e as Error).message.includes(w) && /differs from the pair committed in commit\.json \(epoch 1/.test((e as Error).message), (e as Error).message);
    }
    fs.rmSync(w);
    try {
      await recoverRun(dir);
      assert.unreachable();
    } catch (e) {
      assert.match((e as Error).message, /weights\.safetensors: missing the pair committed/);
    }
    fs.writeFileSync(path.join(dir, COMMIT_FILE), '{ not json');
    try { await recoverRun(dir); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /commit\.json: not JSON/); }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- loadCheckpoint: every error path -------------------------------------------------------------
function ckptImage(mutate: (tensors: StateDict, meta: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = encodeState(state(1));
  mutate(tensors, metadata);
  return encodeSafetensors(tensors, metadata);
}

const ERRORS: [string, (t: StateDict, m: Record<string, string>) => void, RegExp][] = [
  ['wrong format', (_t, m) => { m.format = 'auif-ts/weights@1'; }, /not a training checkpoint \(metadata format "auif-ts\/weights@1", expected 'auif-ts\/train-checkpoint@1'\)/],
  ['no format', (_t, m) => { delete m.format; }, /not a training checkpoint \(metadata format undefined/],
  ['config not JSON', (_t, m) => { m.config = '{layers'; }, /metadata 'config' is not JSON/],
  ['missing tensor', (t) => { t.delete('detail.conv2.1.theta'); }, /missing tensor 'detail\.conv2\.1\.theta'/],
  ['incomplete optimiser state (no exp_avg_sq)', (t) => { t.delete('optimizer.exp_avg_sq.base.conv1.0.kernel'); }, /incomplete optimizer state for 'base\.conv1\.0\.kernel'/],
  ['incomplete optimiser state (no step)', (t) => { t.delete('optimizer.step.base.conv1.0.kernel'); }, /incomplete optimizer state for 'base\.conv1\.0\.kernel'/],
  ['optimiser state of an unknown parameter', (t) => { t.set('optimizer.exp_avg.nope', { dtype: 'float32', shape: [1], data: new Float32Array(1) }); }, /incomplete optimizer state for 'nope'/],
  ['no RNG state', (t) => { t.delete('loop.rng'); }, /missing or malformed 'loop\.rng'/],
  ['RNG state of the wrong length', (t) => { t.set('loop.rng', { dtype: 'int64', shape: [3], data: BigInt64Array.of(1n, 2n, 3n) }); }, /missing or malformed 'loop\.rng'/],
  ['RNG state of the wrong dtype', (t) => { t.set('loop.rng', { dtype: 'int32', shape: [4], data: Int32Array.of(1, 2, 3, 4) }); }, /missing or malformed 'loop\.rng'/],
  ['no shuffle', (t) => { t.delete('loop.perm'); }, /missing or malformed 'loop\.perm'/],
  ['shuffle of the wrong dtype', (t) => { t.set('loop.perm', { dtype: 'float32', shape: [2], data: Float32Array.of(0, 1) }); }, /missing or malformed 'loop\.perm'/],
  ['bad epoch', (_t, m) => { m.epoch = '-1'; }, /metadata 'epoch' is "-1", expected an integer ≥ 0/],
  ['missing stepInEpoch', (_t, m) => { delete m.stepInEpoch; }, /metadata 'stepInEpoch' is undefined/],
  ['fractional iteration', (_t, m) => { m.iteration = '2.5'; }, /metadata 'iteration' is "2\.5"/],
];

for (const [what, mutate, re] of ERRORS) {
  t(`loadCheckpoint: ${what} → CheckpointError naming the file`, () => {
    const dir = tmpDir();
    try {
      const file = path.join(dir, CHECKPOINT_FILE);
      fs.writeFileSync(file, ckptImage(mutate));
      try {
        loadCheckpoint(file);
        assert.unreachable('expected a CheckpointError');
      } catch (e) {
        assert.instance(e, CheckpointError);
        assert.match((e as Error).message, re);
        assert.ok((e as Error).message.includes(file), (e as Error).message);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

t('loadCheckpoint of an intact image round-trips (the error cases above differ from it in one thing only)', () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, CHECKPOINT_FILE);
    fs.writeFileSync(file, ckptImage(() => {}));
    const s = loadCheckpoint(file);
    assert.equal([s.epoch, s.stepInEpoch, s.iteration, s.rng, s.perm], [1, 0, 12, [1, 2, 3, 1], null]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- resume from a damaged run folder --------------------------------------------------------------
async function damagedRun(damage: (file: string) => void): Promise<{ dir: string; error: unknown }> {
  const dir = tmpDir();
  const sharp = (await import('sharp')).default;
  const d = Buffer.alloc(40 * 36);
  for (let i = 0; i < d.length; i++) d[i] = (i * 37) & 255;
  for (const n of [0, 1, 2]) await sharp(d, { raw: { width: 40, height: 36, channels: 1 } }).png().toFile(path.join(dir, `img${n}.png`));
  const out = path.join(dir, 'run');
  const cfg = { images: [0, 1, 2].map((n) => path.join(dir, `img${n}.png`)), cropSize: 24, layers: 1, channels: 4, batchSize: 2, stepsPerEpoch: 1, epochs: 1, seed: 2, outDir: out };
  disposeParams((await train(cfg)).params);
  damage(path.join(out, CHECKPOINT_FILE));
  try {
    const r = await train({ ...cfg, epochs: 2, resume: true });
    disposeParams(r.params);
    return { dir, error: undefined };
  } catch (e) {
    return { dir, error: e };
  }
}

for (const [what, damage, re] of [
  ['truncated to half', (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)), /differs from the pair committed/],
  ['one byte flipped in the tensor data', (f: string) => { const b = fs.readFileSync(f); b[b.length - 5] ^= 0xff; fs.writeFileSync(f, b); }, /differs from the pair committed/],
  ['replaced by garbage', (f: string) => fs.writeFileSync(f, crypto.randomBytes(300)), /differs from the pair committed/],
] as const) {
  t(`resume from a checkpoint ${what}: one CheckpointError naming the file, nothing overwritten`, async () => {
    const { dir, error } = await damagedRun(damage);
    try {
      assert.instance(error, CheckpointError);
      assert.match((error as Error).message, re);
      assert.ok((error as Error).message.includes(path.join(dir, 'run', CHECKPOINT_FILE)), (error as Error).message);
      assert.equal(listTree(path.join(dir, 'run')), ['checkpoint.safetensors', 'commit.json', 'log.jsonl', 'weights.safetensors']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

t('resume from a truncated checkpoint without commit.json (a run of an older version): the reader names the file', async () => {
  const { dir, error } = await damagedRun((f) => {
    fs.rmSync(path.join(path.dirname(f), COMMIT_FILE));
    fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
  });
  try {
    assert.instance(error, CheckpointError);
    assert.ok((error as Error).message.includes(path.join(dir, 'run', CHECKPOINT_FILE)), (error as Error).message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
