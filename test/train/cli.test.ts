/**
 * `auif train`: usage errors (exit 2, the flag or key named), a short run on the upstream
 * training set with its files, `--resume`, and Ctrl-C in a separate process (checkpoint, clean
 * exit, resumable).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../lib/cli/main.js';
import { loadCheckpoint } from '../../lib/train/state.js';
import { upstreamGroup, projectRoot } from '../helpers/upstream.js';
import { useBackend } from '../helpers/fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-cli-train-'));
const t = suite('cli/train');
let errors: string[] = [];
const origError = console.error;
const origWrite = process.stderr.write.bind(process.stderr);
t.before(async () => { await useBackend('wasm'); });
t.before.each(() => {
  errors = [];
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  process.stderr.write = ((chunk: string | Uint8Array) => { errors.push(String(chunk)); return true; }) as typeof process.stderr.write;
});
t.after.each(() => { console.error = origError; process.stderr.write = origWrite; });
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

t('usage errors exit 2 and name the flag (and the config key)', async () => {
  for (const [args, re] of [
    [['--epochs', '0'], /--epochs \('epochs'\) must be an integer ≥ 1, got 0/],
    [['--mu', 'five'], /--mu must be a number, got 'five'/],
    [['--layers', '1.5'], /--layers must be an integer/],
    [['--batch', '361', '--epochs', '1'], /--batch \('batchSize'\) \(361\) is larger than the data set \(360 images\)/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--resume', '--out', path.join(tmp, 'nothing-here')], /no checkpoint.safetensors in/],
  ] as const) {
    if (args[0] === '--batch' && !(await upstreamGroup('train'))) continue;
    errors = [];
    assert.is(await main(['train', ...args]), 2, `${args.join(' ')}: ${errors.join('\n')}`);
    assert.match(errors.join('\n'), re);
  }
});

t('a short run writes weights, checkpoint and one log line per step; --resume continues it', async () => {
  if (!(await upstreamGroup('train'))) return;
  const out = path.join(tmp, 'run');
  const args = ['train', '--epochs', '1', '--steps', '2', '--batch', '2', '--crop', '24', '--layers', '1', '--seed', '3', '--out', out];
  assert.is(await main(args), 0, errors.join('\n'));
  assert.equal(fs.readdirSync(out).sort(), ['checkpoint.safetensors', 'commit.json', 'log.jsonl', 'weights.safetensors']);
  const lines = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.map((l) => Object.keys(l).sort()), new Array(2).fill(['epoch', 'iteration', 'loss', 'lr', 'mse', 'seconds', 'ssim', 'step']));
  assert.match(errors.join(''), /done: 1 epochs, 2 steps/);
  assert.is(await main(['train', '--resume', '--epochs', '2', '--out', out]), 0, errors.join('\n'));
  assert.is(fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 4);
  assert.is(loadCheckpoint(path.join(out, 'checkpoint.safetensors')).iteration, 4);
  assert.is(await main(args), 2, 'a second fresh run into the same folder is refused');
  assert.match(errors.join('\n'), /already holds a run/);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) t(`${signal}: finishes the step, writes a checkpoint, exits 0; --resume continues it bit for bit`, async () => {
  if (!(await upstreamGroup('train'))) return;
  const out = path.join(tmp, signal.toLowerCase());
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/run_cli.ts'), 'train', '--epochs', '500', '--steps', '2', '--batch', '4', '--crop', '48', '--layers', '2', '--out', out], {
    cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AUIF_BACKEND: 'wasm' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const log = path.join(out, 'log.jsonl');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !(fs.existsSync(log) && fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length >= 3)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill(signal);
  const code = await exited;
  assert.is(code, 0, stderr);
  assert.match(stderr, signal === 'SIGINT' ? /Ctrl-C: finishing this step/ : /SIGTERM: finishing this step/);
  assert.match(stderr, /checkpoint written\. Resume with: auif train --resume --out/);
  const ck = loadCheckpoint(path.join(out, 'checkpoint.safetensors'));
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(ck.iteration >= 3 && ck.iteration < 1000, `stopped after ${ck.iteration} steps`);
  assert.is(lines.length, ck.iteration, 'the log and the checkpoint agree');
  assert.is(await main(['train', '--resume', '--epochs', String(ck.epoch + 1), '--out', out]), 0, errors.join('\n'));
  assert.is(loadCheckpoint(path.join(out, 'checkpoint.safetensors')).iteration, (ck.epoch + 1) * 2);
  // The same run without the interruption ends on the same bits.
  const straight = path.join(tmp, `${signal.toLowerCase()}-straight`);
  assert.is(await main(['train', '--epochs', String(ck.epoch + 1), '--steps', '2', '--batch', '4', '--crop', '48', '--layers', '2', '--out', straight]), 0, errors.join('\n'));
  assert.ok(fs.readFileSync(path.join(out, 'weights.safetensors')).equals(fs.readFileSync(path.join(straight, 'weights.safetensors'))), 'resumed = uninterrupted, bit for bit');
});

t.run();
