/**
 * DIDFuse (lib/methods/didfuse.ts) against the PyTorch reference fixture
 * (datasets/reference/didfuse_fixture.safetensors, see lib/methods/didfuse/README.md §5: every map of both encoders,
 * the sums, the decoder's maps and the output on a 64×80 TNO crop) on both paths — the native
 * conv addon (every instruction-set variant this CPU has) and tfjs (wasm, cpu) — to 1e-5; a few
 * published DIDFuse outputs (Test_result/*_IJCAI) to 1 grey level; bad weights; tiny and odd sizes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors } from '../../lib/io/safetensors.js';
import type { StateDict } from '../../lib/io/tensor_record.js';
import { readTorchCheckpoint } from '../../lib/io/torch_checkpoint.js';
import { ImageError, readGrey, writeGreyPng, type GreyImage } from '../../lib/io/image.js';
import { convEngine } from '../../lib/kernels/native.js';
import { getMethod } from '../../lib/methods/index.js';
import { didfuse, DIDFUSE_PUBLISHED } from '../../lib/methods/didfuse.js';
import {
  BLOCK_NAMES, countDidfuseParameters, didfuseParamsFromStateDicts, expectedDidfuseKeys, loadDidfuseWeights,
  StateDictError, type DidfuseParams,
} from '../../lib/methods/didfuse/params.js';
import { decodeNative, encodeNative, fuseSumNative } from '../../lib/methods/didfuse/network_native.js';
import { decodeTf, disposeTfParams, encodeTf, toTfParams } from '../../lib/methods/didfuse/network_tf.js';
import { parityWithPublished } from '../../lib/report/method_parity.js';
import { mergeParity } from '../../lib/report/parity.js';
import { main } from '../../lib/cli/main.js';
import { referenceDir, upstreamFile, skipLoudly } from '../helpers/upstream.js';
import { useBackend, TEST_BACKENDS } from '../helpers/fixture.js';

const t = suite('methods/didfuse');
const TOL = 1e-5;
const H = 64, W = 80, N = H * W;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-didfuse-'));

let fx: StateDict | null = null;
let params: DidfuseParams | null = null;
let files: { encoder: string; decoder: string } | null = null;

t.before(async () => {
  await useBackend('wasm');
  const dir = referenceDir();
  if (dir && fs.existsSync(path.join(dir, 'didfuse_fixture.safetensors'))) fx = readSafetensors(path.join(dir, 'didfuse_fixture.safetensors')).tensors;
  else skipLoudly('DIDFuse fixture', 'no ../shared/reference/didfuse_fixture.safetensors (set AUIF_REFERENCE_DIR)');
  const [enc, dec] = [await upstreamFile('Models/Encoder_weight_IJCAI.pkl', 'didfuse'), await upstreamFile('Models/Decoder_weight_IJCAI.pkl', 'didfuse')];
  if (enc && dec) { files = { encoder: enc, decoder: dec }; params = await loadDidfuseWeights(files); }
});
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const f32 = (k: string) => { const v = fx!.get(k); if (!v) throw new Error(`fixture has no '${k}'`); return v.data as Float32Array; };

/** max |ours − fixture| over the stored channels (x[:, ::11]), the per-channel means and |·| means of a planar map. */
function mapError(name: string, x: Float32Array, channels: number): number {
  if (channels === 1) return maxAbs(x, f32(name));
  const ch = f32(`${name}.ch`), mean = f32(`${name}.chmean`), absmean = f32(`${name}.chabsmean`);
  let m = 0;
  for (let j = 0; j < 6; j++) for (let i = 0; i < N; i++) m = Math.max(m, Math.abs(x[11 * j * N + i] - ch[j * N + i]));
  for (let c = 0; c < channels; c++) {
    let s = 0, a = 0;
    for (let i = 0; i < N; i++) { s += x[c * N + i]; a += Math.abs(x[c * N + i]); }
    m = Math.max(m, Math.abs(s / N - mean[c]), Math.abs(a / N - absmean[c]));
  }
  return m;
}
function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, 'lengths');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const add = (a: Float32Array, b: Float32Array) => a.map((v, i) => v + b[i]);

/** Every map of the fixture from one implementation's encode/decode; returns name → error. */
function fixtureErrors(run: {
  encode: (I: Float32Array) => Record<'f1' | 'f2' | 'fb' | 'fd', Float32Array>;
  decode: (F1: Float32Array, F2: Float32Array, Fb: Float32Array, Fd: Float32Array) => Record<'o1' | 'o2' | 'out', Float32Array>;
}): Record<string, number> {
  const e: Record<string, number> = {};
  const ir = run.encode(f32('input.ir')), vis = run.encode(f32('input.vis'));
  for (const [who, m] of [['ir', ir], ['vis', vis]] as const) {
    e[`enc.${who}.cov1`] = mapError(`enc.${who}.cov1`, m.f1, 64);
    e[`enc.${who}.cov2`] = mapError(`enc.${who}.cov2`, m.f2, 64);
    e[`enc.${who}.base`] = mapError(`enc.${who}.base`, m.fb, 64);
    e[`enc.${who}.detail`] = mapError(`enc.${who}.detail`, m.fd, 64);
  }
  const [F1, F2, Fb, Fd] = [add(ir.f1, vis.f1), add(ir.f2, vis.f2), add(ir.fb, vis.fb), add(ir.fd, vis.fd)];
  for (const [k, v] of Object.entries({ F1, F2, Fb, Fd })) e[`fused.${k}`] = mapError(`fused.${k}`, v, 64);
  const d = run.decode(F1, F2, Fb, Fd);
  e['dec.cov5'] = mapError('dec.cov5', d.o1, 64);
  e['dec.cov6'] = mapError('dec.cov6', d.o2, 64);
  e['fused.out'] = mapError('fused.out', d.out, 1);
  const rIr = run.decode(ir.f1, ir.f2, ir.fb, ir.fd).out, rVis = run.decode(vis.f1, vis.f2, vis.fb, vis.fd).out;
  e['recon.ir'] = maxAbs(rIr, f32('recon.ir'));
  e['recon.vis'] = maxAbs(rVis, f32('recon.vis'));
  let u8 = 0;
  for (let i = 0; i < N; i++) u8 = Math.max(u8, Math.abs(Math.round(d.out[i] * 255) - f32('fused.out_u8')[i]));
  e['fused.out_u8 (grey levels)'] = u8;
  return e;
}

function assertErrors(e: Record<string, number>, where: string): void {
  for (const [k, v] of Object.entries(e)) {
    if (k.includes('grey levels')) assert.ok(v <= 1, `${where} ${k}: ${v}`);
    else assert.ok(v <= TOL, `${where} ${k}: max |Δ| ${v.toExponential(2)} > ${TOL}`);
  }
  assert.is(Object.keys(e).length, 8 + 4 + 3 + 2 + 1, `${where}: every fixture map compared`);
  if (process.env.AUIF_VERBOSE) console.log(where, Object.entries(e).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', '));
}

const ISAS = ['portable', 'avx2', 'avx512'] as const;
function availableIsas(k: NonNullable<ReturnType<typeof convEngine>>): string[] {
  const out: string[] = [];
  for (const isa of ISAS) { try { k.setIsa(isa); out.push(isa); } catch { /* not on this CPU */ } }
  return out;
}

t('weights: the published .pkl files read and check; 111 938 + 148 997 learned values; sample values of the reference', () => {
  if (!params || !files) return skipLoudly('DIDFuse test', 'no params or files (see the SKIP above)');
  assert.is(countDidfuseParameters(params), 260935);
  assert.is(BLOCK_NAMES.filter((n) => n <= 'cov4').reduce((s, n) => s + params![n].parameters, 0), 111938);
  const enc = readTorchCheckpoint(files.encoder);
  assert.equal([...enc.keys()], [...expectedDidfuseKeys('encoder').keys()], 'encoder keys in upstream order');
  assert.is(enc.size, 30);
  assert.is(readTorchCheckpoint(files.decoder).size, 23);
  const w = params.cov1.weight;
  assert.ok(Math.abs(w[0] + 0.151092) < 1e-6 && Math.abs(w[1] + 0.196923) < 1e-6 && Math.abs(w[2] - 0.125015) < 1e-6, 'cov1.cov1.1.weight[0,0,0,:]');
  assert.ok(Math.abs(params.cov1.alpha - 0.261179) < 1e-6, 'cov1 PReLU slope');
  assert.equal([params.cov1.reflect, params.cov2.reflect, params.cov6.reflect, params.cov7.reflect], [true, false, false, true]);
});

t('native conv addon: every fixture map ≤ 1e-5 on every instruction-set variant this CPU has', () => {
  if (!fx || !params) return skipLoudly('DIDFuse test', 'no fx or params (see the SKIP above)');
  const k = convEngine(true)!;
  const before = k.convInfo().isa;
  try {
    const isas = availableIsas(k);
    assert.ok(isas.includes('portable'));
    for (const isa of isas) {
      k.setIsa(isa as (typeof ISAS)[number]);
      const e = fixtureErrors({
        encode: (I) => encodeNative(k, I, H, W, params!),
        decode: (F1, F2, Fb, Fd) => decodeNative(k, F1, F2, Fb, Fd, H, W, params!),
      });
      assertErrors(e, `native ${isa}`);
    }
  } finally { k.setIsa(before as (typeof ISAS)[number]); }
});

t('tfjs path (wasm, cpu): every fixture map ≤ 1e-5', async () => {
  if (!fx || !params) return skipLoudly('DIDFuse test', 'no fx or params (see the SKIP above)');
  for (const backend of TEST_BACKENDS) {
    await useBackend(backend);
    const p = toTfParams(params);
    const nhwc = (x: Float32Array, c: number) => tf.tidy(() => tf.transpose(tf.tensor4d(x, [1, c, H, W]), [0, 2, 3, 1]) as tf.Tensor4D);
    const planar = (x: tf.Tensor4D) => { const r = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2])); const d = r.dataSync() as Float32Array; r.dispose(); x.dispose(); return d; };
    try {
      const e = fixtureErrors({
        encode: (I) => { const x = nhwc(I, 1); const m = encodeTf(x, p); x.dispose(); return { f1: planar(m.f1), f2: planar(m.f2), fb: planar(m.fb), fd: planar(m.fd) }; },
        decode: (F1, F2, Fb, Fd) => {
          const ins = [nhwc(F1, 64), nhwc(F2, 64), nhwc(Fb, 64), nhwc(Fd, 64)];
          const d = decodeTf(ins[0], ins[1], ins[2], ins[3], p);
          tf.dispose(ins);
          return { o1: planar(d.o1), o2: planar(d.o2), out: planar(d.out) };
        },
      });
      assertErrors(e, `tfjs ${backend}`);
    } finally { disposeTfParams(p); }
  }
  await useBackend('wasm');
});

t('the method (registry, both engines): fused.out ≤ 1e-5; memory-saving native rule = plain sum; intermediates are the channel means', async () => {
  if (!fx || !params || !files) return skipLoudly('DIDFuse test', 'no fx or params or files (see the SKIP above)');
  const ir: GreyImage = { width: W, height: H, data: f32('input.ir') };
  const vis: GreyImage = { width: W, height: H, data: f32('input.vis') };
  for (const engine of ['native', 'tfjs']) {
    const fuser = await getMethod('didfuse').load({ engine, ...files });
    try {
      assert.is(fuser.info.parameters, 260935);
      const tensors = tf.memory().numTensors;
      const plain = await fuser.fuse(ir, vis);
      await fuser.fuse(ir, vis, { intermediates: true });
      assert.is(tf.memory().numTensors, tensors + (engine === 'tfjs' ? 35 : 0), `${engine}: no tensor leaked (tfjs: the 7 × 5 weight tensors, uploaded once)`);
      assert.ok(maxAbs(plain.F.data, f32('fused.out')) <= TOL, `${engine}: fused.out`);
      const { F, maps } = await fuser.fuse(ir, vis, { intermediates: true });
      assert.equal(F.data, plain.F.data, `${engine}: the same output with intermediates`);
      assert.equal(maps!.map((m) => m.name), ['base_ir', 'base_vis', 'detail_ir', 'detail_vis', 'base_fused', 'detail_fused']);
      // spatial mean of a channel-mean map = mean of the fixture's per-channel spatial means
      const key = { base_ir: 'enc.ir.base', base_vis: 'enc.vis.base', detail_ir: 'enc.ir.detail', detail_vis: 'enc.vis.detail', base_fused: 'fused.Fb', detail_fused: 'fused.Fd' } as Record<string, string>;
      for (const m of maps!) {
        assert.equal([m.image.width, m.image.height], [W, H]);
        const ours = m.image.data.reduce((s, v) => s + v, 0) / N;
        const ref = f32(`${key[m.name]}.chmean`).reduce((s, v) => s + v, 0) / 64;
        assert.ok(Math.abs(ours - ref) < 1e-6, `${engine} ${m.name}: mean ${ours} vs ${ref}`);
      }
    } finally { fuser.dispose(); }
  }
  const k = convEngine(true)!;
  const sumRule = fuseSumNative(k, ir.data, vis.data, H, W, params).F;
  const a = encodeNative(k, ir.data, H, W, params), b = encodeNative(k, vis.data, H, W, params);
  assert.equal(sumRule, decodeNative(k, add(a.f1, b.f1), add(a.f2, b.f2), add(a.fb, b.fb), add(a.fd, b.fd), H, W, params).out, 'accumulating in the kernel = adding afterwards, bit for bit');
});

t('tiny and odd sizes: 2×2 (the smallest legal), 2×3, 3×2, 5×7, 203×9, 37×29 — native = tfjs ≤ 1e-5, native threads-independent; 1×N refused', async () => {
  if (!params || !files) return skipLoudly('DIDFuse test', 'no params or files (see the SKIP above)');
  const native = await didfuse.load({ engine: 'native', ...files });
  const viaTf = await didfuse.load({ engine: 'tfjs', ...files });
  const k = convEngine(true)!;
  try {
    for (const [w, h] of [[2, 2], [2, 3], [3, 2], [5, 7], [203, 9], [37, 29]]) {
      const img = (seed: number): GreyImage => ({ width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => (Math.sin(i * 12.9898 + seed) * 43758.5453 % 1 + 1) % 1) });
      const [ir, vis] = [img(1), img(2)];
      const a = (await native.fuse(ir, vis)).F, b = (await viaTf.fuse(ir, vis)).F;
      assert.equal([a.width, a.height], [w, h]);
      assert.ok(a.data.every((v) => v > 0 && v < 1), `${w}×${h}: sigmoid output in (0, 1)`);
      assert.ok(maxAbs(a.data, b.data) <= TOL, `${w}×${h}: native vs tfjs ${maxAbs(a.data, b.data)}`);
      k.setThreads(1);
      const one = (await native.fuse(ir, vis)).F;
      k.setThreads(0);
      assert.equal(one.data, a.data, `${w}×${h}: 1 thread = all threads, bit for bit`);
    }
    for (const [w, h] of [[1, 5], [5, 1], [1, 1]]) {
      const img: GreyImage = { width: w, height: h, data: new Float32Array(w * h).fill(0.5) };
      try { await native.fuse(img, img); assert.unreachable('should throw'); } catch (e) {
        assert.instance(e, ImageError);
        assert.match((e as Error).message, new RegExp(`${w}×${h}; DIDFuse needs at least 2×2 pixels`));
      }
    }
    try {
      await native.fuse({ width: 4, height: 4, data: new Float32Array(16) }, { width: 4, height: 5, data: new Float32Array(20) });
      assert.unreachable('should throw');
    } catch (e) { assert.instance(e, ImageError); assert.match((e as Error).message, /4×4.*4×5/); }
  } finally { native.dispose(); viaTf.dispose(); }
});

t('CLI: a 2×2 pair fuses to a 2×2 PNG; a 1×3 pair is refused with one line naming file and size', async () => {
  if (!files) return skipLoudly('DIDFuse test', 'no files (see the SKIP above)');
  const png = async (name: string, w: number, h: number) => {
    const f = path.join(tmp, name);
    await writeGreyPng(f, { width: w, height: h, data: Float32Array.from({ length: w * h }, (_, i) => (i + 1) / (w * h + 1)) });
    return f;
  };
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    const out = path.join(tmp, 'F2x2.png');
    const opts = ['--option', `encoder=${files.encoder}`, '--option', `decoder=${files.decoder}`];
    assert.is(await main(['fuse', '--method', 'didfuse', '--ir', await png('i2.png', 2, 2), '--vis', await png('v2.png', 2, 2), '--out', out, ...opts]), 0, errors.join('\n'));
    const F = await readGrey(out);
    assert.equal([F.width, F.height], [2, 2]);
    const bad = path.join(tmp, 'F1x3.png');
    const code = await main(['fuse', '--method', 'didfuse', '--ir', await png('i13.png', 1, 3), '--vis', await png('v13.png', 1, 3), '--out', bad, ...opts]);
    assert.ok(code !== 0);
    assert.match(errors.join('\n'), /i13\.png is 1×3; DIDFuse needs at least 2×2 pixels/);
    assert.not.ok(fs.existsSync(bad));
  } finally { console.error = orig; }
});

t('bad weights: swapped files, a missing, an extra, a mis-shaped key, a wrong dtype → StateDictError naming file and key', async () => {
  if (!files) return skipLoudly('DIDFuse test', 'no files (see the SKIP above)');
  const enc = readTorchCheckpoint(files.encoder), dec = readTorchCheckpoint(files.decoder);
  const fails = (fn: () => unknown, re: RegExp, key: string) => {
    try { fn(); assert.unreachable('should throw'); } catch (e) {
      assert.instance(e, StateDictError);
      assert.match((e as Error).message, re);
      assert.is((e as StateDictError).key, key);
    }
  };
  fails(() => didfuseParamsFromStateDicts(dec, dec, { encoder: 'D.pkl', decoder: 'D.pkl' }), /^D\.pkl: not a DIDFuse encoder \(it looks like the DIDFuse decoder\): missing key 'cov1\.cov1\.1\.weight' and 29 more$/, 'cov1.cov1.1.weight');
  const without = new Map(enc); without.delete('cov3.cov3.1.running_var');
  fails(() => didfuseParamsFromStateDicts(without, dec, { encoder: 'E.pkl', decoder: 'D.pkl' }), /^E\.pkl: not a DIDFuse encoder: missing key 'cov3\.cov3\.1\.running_var'$/, 'cov3.cov3.1.running_var');
  const extra = new Map(dec); extra.set('cov8.cov8.0.weight', dec.get('cov7.cov7.1.bias')!);
  fails(() => didfuseParamsFromStateDicts(enc, extra, { encoder: 'E.pkl', decoder: 'D.pkl' }), /^D\.pkl: unexpected key 'cov8\.cov8\.0\.weight' in the DIDFuse decoder$/, 'cov8.cov8.0.weight');
  const dtype = new Map(enc); dtype.set('cov2.cov2.0.bias', { ...enc.get('cov2.cov2.0.bias')!, dtype: 'float64', data: Float64Array.from(enc.get('cov2.cov2.0.bias')!.data as Float32Array) });
  fails(() => didfuseParamsFromStateDicts(dtype, dec), /^encoder: key 'cov2\.cov2\.0\.bias' has dtype float64, expected float32$/, 'cov2.cov2.0.bias');

  // a real file with one tensor of the wrong shape, through load() and through the CLI (one line, no stack)
  const bad = new Map(enc);
  const w = enc.get('cov2.cov2.0.weight')!;
  bad.set('cov2.cov2.0.weight', { ...w, shape: [64, 32, 3, 6] });
  const badFile = path.join(tmp, 'bad_encoder.safetensors');
  await writeSafetensors(badFile, bad);
  try { await didfuse.load({ encoder: badFile, decoder: files.decoder }); assert.unreachable('should reject'); } catch (e) {
    assert.instance(e, StateDictError);
    assert.is((e as Error).message, `${badFile}: key 'cov2.cov2.0.weight' has shape [64, 32, 3, 6], expected [64, 64, 3, 3]`);
  }
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    const ir = await upstreamFile('Datasets/Test_data_TNO/IR8.bmp');
    const out = path.join(tmp, 'never.png');
    if (ir) {
      const code = await main(['fuse', '--method', 'didfuse', '--ir', ir, '--vis', ir, '--out', out, '--option', `encoder=${badFile}`, '--option', `decoder=${files.decoder}`]);
      assert.is(code, 1);
      assert.match(errors.join('\n'), /bad_encoder\.safetensors: key 'cov2\.cov2\.0\.weight' has shape \[64, 32, 3, 6\]/);
      assert.not.match(errors.join('\n'), /\n\s+at /, 'no stack trace');
      assert.not.ok(fs.existsSync(out));
    }
    const code = await main(['fuse', '--method', 'didfuse', '--ir', 'a.png', '--vis', 'b.png', '--out', out, '--weights', path.join(tmp, 'nosuch')]);
    assert.is(code, 1);
    assert.match(errors.join('\n'), /--weights must be a folder holding Encoder_weight_IJCAI\.pkl and Decoder_weight_IJCAI\.pkl.*nosuch/);
  } finally { console.error = orig; }
});

t('published outputs: TNO pairs 8, 10 and FLIR pair 36 within 1 grey level, ≤ 0.1 % of pixels differing (all 80: npm run verify -- didfuse)', async () => {
  if (!params || !files) return skipLoudly('DIDFuse test', 'no params or files (see the SKIP above)');
  if (!(await upstreamFile('Test_result/TNO_IJCAI/F8.png', 'didfuse'))) return;
  const fuser = await didfuse.load(files);
  try {
    const rows = [
      ...await parityWithPublished('tno', fuser, DIDFUSE_PUBLISHED.tno!, { indices: [8, 10] }),
      ...await parityWithPublished('flir', fuser, DIDFUSE_PUBLISHED.flir!, { indices: [36] }),
    ];
    assert.is(rows.length, 3);
    for (const r of rows) assert.ok(r.maxDiff <= 1 && r.differing <= 0.001 * r.total, `${r.dataset} F${r.index}: max ${r.maxDiff}, ${r.differing}/${r.total} differ`);
    const all = mergeParity(rows);
    assert.ok(all.total === 256 * 256 + 280 * 280 + 360 * 235, 'the three pairs, whole');
  } finally { fuser.dispose(); }
});

t.run();
