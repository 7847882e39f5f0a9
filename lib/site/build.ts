/**
 * Builds the static teaching page (issue 19) into a folder (default `site/`):
 *
 *   index.html            the page (lib/site/index.html)
 *   auif-site.js          lib/site/page.ts and the library it uses, bundled by esbuild as one IIFE
 *                         with the authors' weights and tfjs's three wasm binaries inlined as base64
 *                         (Chromium blocks fetch() from file://, so nothing is fetched at run time)
 *   auif_pretrained.safetensors   the same weights as a file, for reuse from a static host
 *
 * The weights are the authors' checkpoints converted at build time (lib/model/checkpoint.ts
 * `pretrainedStateDict`, staged on first use). Node-only modules the library imports (fs, path,
 * sharp, the native addon loader) are replaced by inert stubs: in the page the native kernels are
 * absent and every layer runs through the tfjs formulation. The folder is written under a
 * temporary name and renamed, so a failed build never leaves a half-written `site/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pretrainedStateDict } from '../model/checkpoint.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The wasm binaries `@tensorflow/tfjs-backend-wasm` may ask for (it picks one by SIMD/thread support). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/** Modules the bundle must not contain (Node-only): each becomes a CommonJS stub whose members are no-ops returning ''. */
const NODE_ONLY = /^(node:)?(fs|fs\/promises|path|url|module|os|crypto|child_process|worker_threads|util|zlib|stream)$|^(sharp|cli-progress)$/;

/**
 * Members the stubs provide (esbuild's CommonJS interop copies own properties, so each is listed):
 * those the library calls while loading or looking for the native addon (lib/kernels/native.ts);
 * any other Node-only member is undefined in the page and never called there.
 */
const STUB_NAMES = ['dirname', 'join', 'resolve', 'basename', 'relative', 'fileURLToPath', 'pathToFileURL', 'createRequire', 'readFileSync', 'statSync', 'cpus'];

export interface SiteBuild { dir: string; files: { name: string; bytes: number }[] }

/** Builds the page into `outDir` (replacing it). */
export async function buildSite(outDir: string, opts: { minify?: boolean } = {}): Promise<SiteBuild> {
  const esbuild = await import('esbuild');
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const wasm: Record<string, string> = {};
  for (const f of WASM_FILES) {
    const file = path.join(wasmDir, f);
    if (!fs.existsSync(file)) throw new Error(`site: ${file} is missing (reinstall the dependencies: npm install)`);
    wasm[f] = fs.readFileSync(file).toString('base64');
  }
  const weights = encodeSafetensors(await pretrainedStateDict(), { source: 'IVIF-AUIF-Net Models/TCSVT_*.model, converted by auif-ts lib/site/build.ts' });
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'page.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: opts.minify ?? true,
    write: false,
    logLevel: 'silent',
    define: {
      __AUIF_WEIGHTS_B64__: JSON.stringify(Buffer.from(weights).toString('base64')),
      __AUIF_WASM_B64__: JSON.stringify(wasm),
      'import.meta.url': '"file:///auif-site.js"',
    },
    banner: { js: 'var process = { env: { AUIF_NATIVE: "0" }, versions: {} };' },
    plugins: [{
      name: 'node-only-stubs',
      setup(b) {
        b.onResolve({ filter: NODE_ONLY }, (a) => ({ path: a.path, namespace: 'node-only' }));
        b.onLoad({ filter: /.*/, namespace: 'node-only' }, () => ({
          loader: 'js',
          contents: `const f = function () { return ""; }; const m = {};\n`
            + `for (const k of ${JSON.stringify(STUB_NAMES)}) m[k] = f;\n`
            + 'm.existsSync = () => false; m.promises = m; m.default = m; module.exports = m;',
        }));
      },
    }],
  });
  const js = result.outputFiles[0].contents;
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const files: SiteBuild['files'] = [];
  const put = async (name: string, bytes: Uint8Array) => { await writeFileAtomic(path.join(tmp, name), bytes); files.push({ name, bytes: bytes.length }); };
  await put('index.html', fs.readFileSync(path.join(here, 'index.html')));
  await put('auif-site.js', js);
  await put('auif_pretrained.safetensors', weights);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return { dir: outDir, files };
}
