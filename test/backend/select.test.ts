/**
 * Backend selection (lib/backend/select.ts) with stubbed loaders: the fallback order
 * gpu → node → wasm → cpu, the reasons recorded and logged for each one passed over,
 * `AUIF_BACKEND` forcing one (and failing with the reason and the install command), a bad
 * `AUIF_BACKEND` value, and every backend failing. Then the real loaders on this machine.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_ORDER, BackendError, initBackend, parseEnv, type BackendName } from '../../lib/backend/select.js';

const t = suite('backend/select');
const saved = process.env.AUIF_BACKEND;
t.after.each(() => { if (saved === undefined) delete process.env.AUIF_BACKEND; else process.env.AUIF_BACKEND = saved; });
t.after(async () => { await initBackend({ backend: 'cpu', quiet: true, force: true }); });

/** A loader where `fails[name]` throws that message; others "load" as tfjs's cpu backend. */
function stub(fails: Partial<Record<BackendName, string>>) {
  const tried: BackendName[] = [];
  const loader = async (name: BackendName): Promise<string> => {
    tried.push(name);
    if (fails[name]) throw new Error(`${fails[name]}\nsecond line that must not appear`);
    await tf.setBackend('cpu');
    return 'cpu';
  };
  return { tried, loader };
}

async function captureStderr<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; err: string }> {
  const orig = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((chunk: string | Uint8Array) => { err += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    return { value: await fn(), err };
  } catch (error) {
    return { error, err };
  } finally {
    process.stderr.write = orig;
  }
}

t('fallback order gpu → node → wasm: the first that loads wins; the others are recorded and logged with their reasons', async () => {
  delete process.env.AUIF_BACKEND;
  const s = stub({ gpu: 'libtensorflow loaded but sees no CUDA device', node: '@tensorflow/tfjs-node is not installed' });
  const r = await captureStderr(() => initBackend({ force: true, loader: s.loader }));
  assert.equal(s.tried, ['gpu', 'node', 'wasm'], 'cpu is not tried once wasm loads');
  assert.is(r.value!.name, 'wasm');
  assert.equal(r.value!.skipped, [
    { name: 'gpu', reason: 'libtensorflow loaded but sees no CUDA device' },
    { name: 'node', reason: '@tensorflow/tfjs-node is not installed' },
  ]);
  assert.match(r.err, /^\[auif\] backend: wasm \(skipped: gpu: libtensorflow loaded but sees no CUDA device; node: @tensorflow\/tfjs-node is not installed\)\n/);
  assert.not.match(r.err, /second line/);
  // quiet: nothing logged
  const q = await captureStderr(() => initBackend({ force: true, quiet: true, loader: stub({ gpu: 'x', node: 'y', wasm: 'z' }).loader }));
  assert.is(q.value!.name, 'cpu');
  assert.is(q.err, '');
});

t('the order is the documented one', () => {
  assert.equal([...BACKEND_ORDER], ['gpu', 'node', 'wasm', 'cpu']);
});

for (const name of BACKEND_ORDER) {
  t(`AUIF_BACKEND=${name} forces it: only it is tried; if it fails, one BackendError with the reason and how to get it`, async () => {
    process.env.AUIF_BACKEND = name.toUpperCase();
    const ok = stub({});
    assert.is((await initBackend({ force: true, quiet: true, loader: ok.loader })).name, name);
    assert.equal(ok.tried, [name]);
    const bad = stub({ [name]: `${name} exploded` });
    const r = await captureStderr(() => initBackend({ force: true, quiet: true, loader: bad.loader }));
    assert.equal(bad.tried, [name], 'no fallback when forced');
    assert.instance(r.error, BackendError);
    const msg = (r.error as Error).message;
    assert.ok(msg.startsWith(`AUIF_BACKEND=${name} cannot be used: ${name} exploded.\n  How to get it: `), msg);
    assert.not.match(msg, /second line/);
    assert.match(msg, name === 'gpu' ? /CUDA.*npm install --allow-scripts=@tensorflow\/tfjs-node-gpu/ : name === 'node' ? /npm install --allow-scripts=@tensorflow\/tfjs-node / : /npm install/);
  });
}

t('opts.backend overrides AUIF_BACKEND; a bad AUIF_BACKEND value is refused by name', async () => {
  process.env.AUIF_BACKEND = 'gpu';
  const s = stub({});
  assert.is((await initBackend({ backend: 'cpu', force: true, quiet: true, loader: s.loader })).name, 'cpu');
  assert.equal(s.tried, ['cpu']);
  process.env.AUIF_BACKEND = 'tpu';
  const r = await captureStderr(() => initBackend({ force: true, quiet: true, loader: stub({}).loader }));
  assert.instance(r.error, BackendError);
  assert.is((r.error as Error).message, "AUIF_BACKEND='tpu' is not one of gpu, node, wasm, cpu");
  assert.is(parseEnv(''), undefined);
  assert.is(parseEnv(' Wasm '), 'wasm');
});

t('every backend failing: one BackendError listing each with its reason', async () => {
  delete process.env.AUIF_BACKEND;
  const s = stub({ gpu: 'a', node: 'b', wasm: 'c', cpu: 'd' });
  const r = await captureStderr(() => initBackend({ force: true, loader: s.loader }));
  assert.equal(s.tried, ['gpu', 'node', 'wasm', 'cpu']);
  assert.instance(r.error, BackendError);
  assert.is((r.error as Error).message, 'no tfjs backend could be loaded: gpu: a; node: b; wasm: c; cpu: d');
});

t('the real loaders here: wasm and cpu load; gpu/node are passed over with a reason when their binding is absent', async () => {
  delete process.env.AUIF_BACKEND;
  for (const name of ['wasm', 'cpu'] as const) {
    const info = await initBackend({ backend: name, force: true, quiet: true });
    assert.is(info.name, name);
    assert.is(tf.getBackend(), name);
  }
  const auto = await initBackend({ force: true, quiet: true });
  assert.ok(['gpu', 'node', 'wasm'].includes(auto.name), auto.name);
  for (const s of auto.skipped) assert.match(s.reason, /not installed|binding is not|no CUDA device|could not initialise/);
});

t.run();
