/**
 * Backend selection. The library uses the `@tensorflow/tfjs-core` API only; the backend that
 * executes it is picked once at start-up, in this order:
 *
 *   gpu  — `@tensorflow/tfjs-node-gpu` (libtensorflow with CUDA)
 *   node — `@tensorflow/tfjs-node`     (libtensorflow, CPU)
 *   wasm — `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD)
 *   cpu  — `@tensorflow/tfjs-backend-cpu`  (plain JavaScript)
 *
 * `AUIF_BACKEND=gpu|node|wasm|cpu` forces one; if it cannot load, {@link initBackend} throws a
 * {@link BackendError} saying why and how to install it. The native packages are optional
 * dependencies whose install script downloads libtensorflow; see the README.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { nativeStatus, NATIVE_BACKENDS } from '../kernels/native.js';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradient functions; training and the gradient tests need them.
import '@tensorflow/tfjs'; // its Node bundle registers every gradient function (tfjs-core alone has none)

const require = createRequire(import.meta.url);

export type BackendName = 'gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['gpu', 'node', 'wasm', 'cpu'];

export class BackendError extends Error {
  constructor(message: string) { super(message); this.name = 'BackendError'; }
}

export interface BackendInfo {
  /** Our name for it. */
  name: BackendName;
  /** tfjs's registered backend name ('tensorflow', 'wasm', 'cpu'). */
  tfName: string;
  /** Why each earlier candidate was passed over. */
  skipped: { name: BackendName; reason: string }[];
}

const HOW_TO: Record<BackendName, string> = {
  gpu: 'needs CUDA 11.2 + cuDNN 8.1 and libtensorflow: `npm install --allow-scripts=@tensorflow/tfjs-node-gpu @tensorflow/tfjs-node-gpu` '
    + '(npm ≥ 11 runs its install script only when allowed; it downloads libtensorflow from storage.googleapis.com)',
  node: 'needs libtensorflow: `npm install --allow-scripts=@tensorflow/tfjs-node @tensorflow/tfjs-node` '
    + '(its install script downloads libtensorflow from storage.googleapis.com)',
  wasm: 'reinstall the dependencies: `npm install` (package @tensorflow/tfjs-backend-wasm)',
  cpu: 'reinstall the dependencies: `npm install` (package @tensorflow/tfjs-backend-cpu)',
};

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/**
 * Throws unless the native package and its libtensorflow binding are installed. Checked before
 * importing: a failed import of one native package leaves half its kernels registered, which
 * makes the other one print hundreds of "already registered" warnings.
 */
function checkNativeBinding(pkg: string): void {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  const lib = path.join(dir, 'lib');
  const found = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => d.startsWith('napi-v') && fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  if (!found) throw new Error(`${pkg} is installed but its libtensorflow binding is not (its install script did not run)`);
}

async function load(name: BackendName): Promise<string> {
  switch (name) {
    case 'gpu':
      checkNativeBinding('@tensorflow/tfjs-node-gpu');
      await import('@tensorflow/tfjs-node-gpu' as string);
      return 'tensorflow';
    case 'node':
      checkNativeBinding('@tensorflow/tfjs-node');
      await import('@tensorflow/tfjs-node' as string);
      return 'tensorflow';
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      const { registerWasmKernels } = await import('./wasm_kernels.js');
      registerWasmKernels();
      return 'wasm';
    }
    case 'cpu':
      return 'cpu';
  }
}

async function activate(name: BackendName): Promise<string> {
  const tfName = await load(name);
  if (!(await tf.setBackend(tfName))) throw new Error(`tfjs could not initialise backend '${tfName}'`);
  await tf.ready();
  if (name === 'gpu') {
    // tfjs-node-gpu silently runs on the CPU when CUDA is absent; insist on a GPU device.
    const be = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
    if (be.binding?.isUsingGpuDevice && !be.binding.isUsingGpuDevice()) {
      throw new Error('libtensorflow loaded but sees no CUDA device');
    }
  }
  if (name === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  return tfName;
}

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

/**
 * Picks and activates the backend (once; later calls return the same answer unless `force`).
 * @param opts.backend force one backend (default: `$AUIF_BACKEND`, else the first that loads)
 * @param opts.quiet do not log the choice to stderr
 * @param opts.force choose again even if a backend is already active
 */
export async function initBackend(opts: {
  backend?: BackendName; quiet?: boolean; force?: boolean;
  /** Loads and activates one backend, returning tfjs's name for it (default: the real loaders). For tests. */
  loader?: (name: BackendName) => Promise<string>;
} = {}): Promise<BackendInfo> {
  if (!opts.force) {
    if (current && (!opts.backend || opts.backend === current.name)) return current;
    if (pending && !opts.backend) return pending;
  }
  const wanted = opts.backend ?? parseEnv(process.env.AUIF_BACKEND);
  pending = (async () => {
    const skipped: BackendInfo['skipped'] = [];
    const order = wanted ? [wanted] : BACKEND_ORDER;
    for (const name of order) {
      try {
        const tfName = await (opts.loader ?? activate)(name);
        current = { name, tfName, skipped };
        if (!opts.quiet && !process.env.AUIF_QUIET) {
          const why = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
          process.stderr.write(`[auif] backend: ${name}${why}\n[auif] layer kernels: ${engineLine(name)}\n`);
        }
        return current;
      } catch (e) {
        if (wanted) {
          throw new BackendError(`AUIF_BACKEND=${name} cannot be used: ${firstLine(e)}.\n  How to get it: ${HOW_TO[name]}`);
        }
        skipped.push({ name, reason: firstLine(e) });
      }
    }
    throw new BackendError(`no tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/** Which code runs the unrolled layers on this backend (lib/kernels/native.ts). */
function engineLine(name: BackendName): string {
  const native = nativeStatus();
  if (!NATIVE_BACKENDS.includes(name)) return `tfjs (${name} backend)`;
  return native.available ? `native (${native.threads} threads${native.simd ? `, ${native.simd}` : ''})` : `tfjs — native kernels unavailable: ${native.reason}`;
}

/** The active backend, or null before {@link initBackend}. */
export function currentBackend(): BackendInfo | null {
  return current;
}

export function parseEnv(v: string | undefined): BackendName | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(s)) return s as BackendName;
  throw new BackendError(`AUIF_BACKEND='${v}' is not one of ${BACKEND_ORDER.join(', ')}`);
}
