/**
 * The PyTorch reference fixtures (../shared/reference) as tfjs NHWC tensors, and the backends
 * every numerical test runs on.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors } from '../../lib/io/safetensors.js';
import type { StateDict } from '../../lib/io/tensor_record.js';
import { initBackend, type BackendName } from '../../lib/backend/select.js';
import { referenceDir, skipLoudly } from './upstream.js';
import { nativeKernels, nativeStatus } from '../../lib/kernels/native.js';
import type { OperatorImpl } from '../../lib/unrolling/operator.js';

export interface Fixture { fx: StateDict; pretrained: StateDict }

let cached: Fixture | null | undefined;
/** The two reference safetensors files, or null (with a loud SKIP) if ../shared/reference is absent. */
export function loadFixture(): Fixture | null {
  if (cached !== undefined) return cached;
  const dir = referenceDir();
  if (!dir) {
    skipLoudly('reference fixtures', 'no ../shared/reference (set AUIF_REFERENCE_DIR)');
    return (cached = null);
  }
  cached = {
    fx: readSafetensors(path.join(dir, 'auif_fixture.safetensors')).tensors,
    pretrained: readSafetensors(path.join(dir, 'auif_pretrained.safetensors')).tensors,
  };
  return cached;
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
