/**
 * The PyTorch reference fixtures (`datasets/reference/`, see lib/data/reference.ts) as tfjs NHWC
 * tensors, the authors' pretrained weights checked against their committed per-tensor digests,
 * and the backends every numerical test runs on.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '../../lib/io/safetensors.js';
import { tensorBytes, type StateDict } from '../../lib/io/tensor_record.js';
import { initBackend, type BackendName } from '../../lib/backend/select.js';
import { findReferenceFile, referenceDirs } from '../../lib/data/reference.js';
import { stagedPath } from '../../lib/data/stage.js';
import { readUpstreamModels } from '../../lib/model/checkpoint.js';
import { referenceDir, skipLoudly, upstreamGroup } from './upstream.js';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import type { OperatorImpl } from '../../lib/unrolling/operator.js';

export interface Fixture { fx: StateDict; pretrained: StateDict }

/** One entry of `datasets/reference/auif_pretrained.sha256.json`. */
export interface TensorDigest { dtype: string; shape: number[]; sha256: string }

/**
 * The committed per-tensor digests of the authors' weights (made by
 * scripts/make-reference-digests.ts from PyTorch's conversion `auif_pretrained.safetensors`).
 */
export function pretrainedDigests(): Map<string, TensorDigest> | null {
  const file = findReferenceFile('auif_pretrained.sha256.json');
  if (!file) return null;
  return new Map(Object.entries((JSON.parse(fs.readFileSync(file, 'utf8')) as { tensors: Record<string, TensorDigest> }).tensors));
}

/**
 * Every way `sd` differs from the digests (key set and order, dtype, shape, sha256 of the bytes);
 * empty when it is the authors' weights bit for bit.
 */
export function digestMismatches(sd: StateDict, digests: Map<string, TensorDigest>): string[] {
  const out: string[] = [];
  const a = [...sd.keys()], b = [...digests.keys()];
  if (a.join('\n') !== b.join('\n')) out.push(`keys differ: ${a.length} loaded, ${b.length} expected; first difference at #${a.findIndex((k, i) => k !== b[i])}`);
  for (const [k, d] of digests) {
    const t = sd.get(k);
    if (!t) continue;
    if (t.dtype !== d.dtype) out.push(`${k}: dtype ${t.dtype}, expected ${d.dtype}`);
    if (t.shape.join('x') !== d.shape.join('x')) out.push(`${k}: shape ${t.shape.join('x')}, expected ${d.shape.join('x')}`);
    const h = crypto.createHash('sha256').update(tensorBytes(t)).digest('hex');
    if (h !== d.sha256) out.push(`${k}: sha256 ${h}, expected ${d.sha256}`);
  }
  return out;
}

/**
 * The authors' weights for the fixture tests: the staged upstream `Models/*.model` files read by
 * this project's checkpoint reader (their per-tensor digests are asserted in
 * test/model/params.test.ts), else PyTorch's conversion `auif_pretrained.safetensors` where a
 * reference folder outside the project has it (../shared/reference). Null after a loud SKIP.
 */
async function loadPretrained(): Promise<StateDict | null> {
  if (await upstreamGroup('models')) return readUpstreamModels(path.dirname(stagedPath('Models/TCSVT_Decoder.model')));
  const converted = findReferenceFile('auif_pretrained.safetensors');
  return converted ? readSafetensors(converted).tensors : null;
}
const pretrained = await loadPretrained();

let cached: Fixture | null | undefined;
/**
 * The AUIF fixture and the pretrained weights, or null (with a loud SKIP) when either is
 * missing. Call it inside each test (it is cached), or call {@link skipFixture} before returning
 * early, so that every test that cannot run is reported as skipped.
 */
export function loadFixture(): Fixture | null {
  if (cached === undefined) {
    const dir = referenceDir();
    cached = dir && pretrained ? { fx: readSafetensors(path.join(dir, 'auif_fixture.safetensors')).tensors, pretrained } : null;
  }
  if (!cached) skipFixture();
  return cached;
}

/** The loud SKIP of a test that needs the AUIF fixture (returns undefined, for `return skipFixture()`). */
export function skipFixture(): void {
  const why = !referenceDir()
    ? `auif_fixture.safetensors not found (looked in ${referenceDirs().map((d) => d.dir).join(', ') || 'nothing: AUIF_NO_PROJECT_REFERENCE/AUIF_NO_SHARED'})`
    : "the authors' pretrained weights could not be staged (see the data-group SKIP above)";
  skipLoudly('reference fixtures', why);
}

/** A fixture tensor (PyTorch NCHW) as NHWC; `index` picks one entry of the batch axis. */
export function nhwc(sd: StateDict, key: string, index?: number): tf.Tensor4D {
  const t = sd.get(key);
  if (!t) throw new Error(`fixture has no key '${key}'`);
  const [n, c, h, w] = t.shape;
  const full = tf.transpose(tf.tensor4d(t.data as Float32Array, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  if (index === undefined) return full;
  return tf.slice(full, [index, 0, 0, 0], [1, -1, -1, -1]);
}

/** max |a − b|. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** max |a − b| / max(|b|) (relative to the reference's scale). */
export function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-30, tf.max(tf.abs(b)).dataSync()[0]));
}

/** Backends the numerical tests run on: the CPU-only ones always available here. */
export const TEST_BACKENDS: BackendName[] = ['wasm', 'cpu'];

/** Activates a backend for a test (quietly). */
export async function useBackend(name: BackendName): Promise<void> {
  await initBackend({ backend: name, quiet: true });
}

/**
 * The exact operator formulations the numerical tests run through: the native kernels (when
 * built; a loud SKIP otherwise) and the tfjs 5×5 form that GPU backends use.
 */
export const TEST_OPERATORS: OperatorImpl[] = nativeKernels()
  ? ['native', 'tfjs']
  : (skipLoudly('native-kernel tests', `native kernels unavailable: ${nativeStatus().reason}`), ['tfjs']);
