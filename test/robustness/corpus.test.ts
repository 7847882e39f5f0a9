/**
 * The bad-input corpus (issue [R]): generated broken images, hostile checkpoints, bad numbers and
 * flags, outputs colliding with inputs, unwritable or full outputs — each run through the CLI
 * as a child process, each asserting: non-zero exit; exactly one error line ("auif <cmd>: …")
 * that names the file, key, flag or size at fault; no stack trace; no file created or changed
 * outside the intended output; peak RSS under 2 GB; done within the time limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { zipSync, unzipSync } from 'fflate';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeSafetensors } from '../../lib/io/safetensors.js';
import { expectedKeys } from '../../lib/model/params.js';
import type { StateDict } from '../../lib/io/tensor_record.js';
import { projectRoot, upstreamGroup } from '../helpers/upstream.js';
import { jpegDeclaring, pngHeaderOnly } from '../helpers/image_headers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const t = suite('robustness/corpus (CLI child processes)');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-corpus-'));
const RSS_LIMIT_KB = 2 * 1024 * 1024;
const TIME_LIMIT_MS = 90_000;
t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The folder of the case being prepared: each case has its own, so cases can run in parallel. */
let caseDir = tmp;
const f = (name: string) => path.join(caseDir, name);
const write = (name: string, bytes: Uint8Array | string) => { fs.writeFileSync(f(name), bytes); return f(name); };

/** A grey PNG w×h with a deterministic pattern. */
async function png(name: string, w: number, h: number, opts: { channels?: 1 | 2 | 3 | 4; depth?: 8 | 16 } = {}): Promise<string> {
  const ch = opts.channels ?? 1;
  const d = Buffer.alloc(w * h * ch);
  for (let i = 0; i < d.length; i++) d[i] = (i * 37 + (i >> 5) * 11) & 255;
  let img = sharp(d, { raw: { width: w, height: h, channels: ch } });
  if (opts.depth === 16) img = img.toColourspace(ch === 1 ? 'grey16' : 'rgb16');
  await img.png().toFile(f(name));
  return f(name);
}

function syntheticWeights(mutate?: (sd: StateDict) => void): Uint8Array {
  const sd: StateDict = new Map();
  for (const [k, shape] of expectedKeys(1, 4)) {
    const n = shape.reduce((a, b) => a * b, 1);
    sd.set(k, k.endsWith('num_batches_tracked') ? { dtype: 'int64', shape, data: BigInt64Array.of(0n) } : { dtype: 'float32', shape, data: new Float32Array(n).fill(k.endsWith('var') ? 1 : 0.05) });
  }
  mutate?.(sd);
  return encodeSafetensors(sd);
}

interface Case {
  name: string;
  args: () => Promise<string[]> | string[];
  /** What the one error line must say (the file, key, flag or size at fault). */
  says: RegExp;
  /** Files the command may create (the intended output); everything else in tmp must stay as it was. */
  mayCreate?: string[];
  /** Shell prefix (e.g. a file-size limit); the CLI runs under bash then. */
  shell?: string;
  /** Extra environment variables of the child process. */
  env?: Record<string, string>;
  needs?: 'train' | 'tno';
}

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { out.set(p + '/', 'dir'); walk(p); } else {
        const st = fs.lstatSync(p);
        out.set(p, `${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out;
}

async function runCli(args: string[], shell?: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string; rssKb: number; ms: number }> {
  const rssFile = path.join(os.tmpdir(), `auif-corpus-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const node = [process.execPath, '--import', 'tsx', path.join(here, 'run_cli.ts'), ...args];
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const [cmd, argv] = shell ? ['bash', ['-c', `${shell}; exec ${node.map(quote).join(' ')}`]] : [node[0], node.slice(1)];
  const t0 = performance.now();
  const child = spawn(cmd, argv as string[], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AUIF_TEST_RSS_FILE: rssFile, AUIF_BACKEND: 'wasm', NO_COLOR: '1', ...extraEnv } });
  let stderr = ''; let stdout = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => { stdout += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  let rssKb = 0;
  try { rssKb = Number(fs.readFileSync(rssFile, 'utf8')); fs.rmSync(rssFile); } catch { /* killed before exit */ }
  return { code, stderr, stdout, rssKb, ms: performance.now() - t0 };
}

const tno = (i: number, kind: 'IR' | 'VIS') => path.join(projectRoot, 'datasets', 'tno', `${kind}${i}.bmp`);

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);
const fuseArgs = (ir: string, vis: string, extra: string[] = []) => ['fuse', '--ir', ir, '--vis', vis, '--out', f('out.png'), ...extra];

// ---- broken images
add({ name: 'zero-byte PNG', args: async () => fuseArgs(write('empty.png', ''), await png('ok1.png', 32, 24)), says: /empty\.png/ });
add({ name: 'truncated PNG', args: async () => { const b = fs.readFileSync(await png('full.png', 64, 48)); return fuseArgs(write('trunc.png', b.subarray(0, b.length >> 1)), f('full.png')); }, says: /trunc\.png/ });
add({ name: 'corrupt PNG (garbage after the signature)', args: async () => { const b = Buffer.from(fs.readFileSync(await png('full2.png', 64, 48))); for (let i = 40; i < b.length - 20; i++) b[i] ^= 0x5a; return fuseArgs(write('corrupt.png', b), f('full2.png')); }, says: /corrupt\.png/ });
add({ name: 'zero-byte JPEG', args: async () => fuseArgs(write('empty.jpg', ''), await png('ok2.png', 32, 24)), says: /empty\.jpg/ });
add({ name: 'truncated JPEG', args: async () => { const b = await sharp(Buffer.alloc(64 * 48, 90), { raw: { width: 64, height: 48, channels: 1 } }).jpeg().toBuffer(); return fuseArgs(write('trunc.jpg', b.subarray(0, 100)), await png('ok3.png', 64, 48)); }, says: /trunc\.jpg/ });
add({ name: 'zero-byte BMP (named .bmp)', args: async () => fuseArgs(write('empty.bmp', ''), await png('ok4.png', 32, 24)), says: /empty\.bmp/ });
add({ name: 'BMP header only (pixel data truncated)', args: async () => { const h = Buffer.alloc(54 + 1024); h.write('BM'); h.writeUInt32LE(54 + 1024, 10); h.writeUInt32LE(40, 14); h.writeInt32LE(100, 18); h.writeInt32LE(100, 22); h.writeUInt16LE(1, 26); h.writeUInt16LE(8, 28); return fuseArgs(write('short.bmp', h), await png('ok5.png', 100, 100)); }, says: /short\.bmp.*truncated/ });
add({ name: 'BMP promising 1 000 000 × 1 000 000 pixels', args: async () => { const h = Buffer.alloc(54 + 1024); h.write('BM'); h.writeUInt32LE(54 + 1024, 10); h.writeUInt32LE(40, 14); h.writeInt32LE(1_000_000, 18); h.writeInt32LE(1_000_000, 22); h.writeUInt16LE(1, 26); h.writeUInt16LE(8, 28); return fuseArgs(write('huge.bmp', h), await png('ok6.png', 32, 24)); }, says: /huge\.bmp: the BMP header declares 1000000×1000000 = 1000000000000 pixels, over the limit of 178956970/ });
add({ name: 'OS/2 BMP header', args: async () => { const h = Buffer.alloc(64); h.write('BM'); h.writeUInt32LE(12, 14); return fuseArgs(write('os2.bmp', h), await png('ok7.png', 32, 24)); }, says: /os2\.bmp.*header size 12/ });
add({ name: 'PNG header promising 100 000 × 100 000 pixels (valid IHDR)', args: async () => fuseArgs(write('bomb.png', pngHeaderOnly(100000, 100000)), await png('small.png', 16, 16)),
  says: /bomb\.png: the PNG header declares 100000×100000 = 10000000000 pixels, over the limit of 178956970 .*--max-pixels N or AUIF_MAX_PIXELS=N/ });
add({ name: 'a text file named .png', args: async () => fuseArgs(write('text.png', 'hello, not an image\n'), await png('ok8.png', 32, 24)), says: /text\.png.*not a readable image/ });
add({ name: '1×1 pair', args: async () => fuseArgs(await png('one-ir.png', 1, 1), await png('one-vis.png', 1, 1)), says: /one-ir\.png is 1×1; AUIF needs at least 10×10/ });
add({ name: '2×2 pair', args: async () => fuseArgs(await png('two-ir.png', 2, 2), await png('two-vis.png', 2, 2)), says: /two-ir\.png is 2×2/ });
add({ name: '9×40 pair (one side below the minimum)', args: async () => fuseArgs(await png('thin-ir.png', 9, 40), await png('thin-vis.png', 9, 40)), says: /thin-ir\.png is 9×40/ });
add({ name: 'mismatched pair sizes', args: async () => fuseArgs(await png('a-ir.png', 40, 30), await png('a-vis.png', 40, 31)), says: /a-ir\.png is 40×30.*a-vis\.png is 40×31/ });
add({ name: 'an input that does not exist', args: async () => fuseArgs(f('nope.png'), await png('ok9.png', 32, 24)), says: /nope\.png.*ENOENT/ });
add({ name: 'an input that is a folder', args: async () => { fs.mkdirSync(f('adir'), { recursive: true }); return fuseArgs(f('adir'), await png('ok10.png', 32, 24)); }, says: /adir/ });

// ---- hostile and wrong weights
const ir = () => png('w-ir.png', 40, 30);
/** A 640×480 pseudo-random image (its PNG is far larger than a 1 kB file-size limit). */
async function noise(name: string): Promise<string> {
  const d = Buffer.alloc(640 * 480);
  let x = 12345;
  for (let i = 0; i < d.length; i++) { x = (x * 1103515245 + 12345) >>> 0; d[i] = x >>> 24; }
  await sharp(d, { raw: { width: 640, height: 480, channels: 1 } }).png().toFile(f(name));
  return f(name);
}
const vis = () => png('w-vis.png', 40, 30);
const withWeights = async (file: string) => fuseArgs(await ir(), await vis(), ['--weights', file]);
add({ name: 'malicious pickle (os.system)', args: async () => withWeights(write('evil.pt', Buffer.from('\x80\x02cos\nsystem\nq\x00X\x06\x00\x00\x00touch Xq\x01\x85q\x02Rq\x03.', 'latin1'))), says: /evil\.pt.*os\.system/ });
add({ name: 'pickle nested 200 000 deep', args: async () => withWeights(write('deep.pt', Uint8Array.from([0x80, 2, ...new Array(200000).fill(0x5d), ...new Array(199999).fill(0x61), 0x2e]))), says: /deep\.pt.*too deeply nested/ });
add({ name: 'pickle with a 4 GB string length', args: async () => withWeights(write('long.pt', Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0xff, 0x41]))), says: /long\.pt.*truncated/ });
add({ name: 'zip bomb checkpoint', args: async () => {
  const entries = unzipSync(fs.readFileSync(path.join(projectRoot, 'test/io/fixtures/tiny_zip.pt')));
  const name = Object.keys(entries).find((k) => /\/data\/\d+$/.test(k))!;
  return withWeights(write('bomb.pt', zipSync({ ...entries, [name]: [new Uint8Array(256 * 1024 * 1024), { level: 9 }] })));
}, says: /bomb\.pt.*has 268435456 bytes, expected/ });
add({ name: 'a zip that is no checkpoint', args: async () => withWeights(write('plain.zip', zipSync({ 'a.txt': new TextEncoder().encode('hi') }))), says: /plain\.zip.*no <archive>\/data\.pkl/ });
add({ name: 'safetensors with a wrong key', args: async () => withWeights(write('wrongkey.safetensors', syntheticWeights((sd) => { sd.set('base.conv1.0.kernal', sd.get('base.conv1.0.kernel')!); sd.delete('base.conv1.0.kernel'); }))), says: /wrongkey\.safetensors.*base\.conv1\.0\.kernel/ });
add({ name: 'safetensors with a wrong shape', args: async () => withWeights(write('wrongshape.safetensors', syntheticWeights((sd) => { sd.set('decoder.decoder.1.weight', { dtype: 'float32', shape: [1, 1, 5, 5], data: new Float32Array(25) }); }))), says: /wrongshape\.safetensors.*decoder\.decoder\.1\.weight.*\[1, 1, 5, 5\]/ });
add({ name: 'safetensors with a wrong dtype', args: async () => withWeights(write('wrongdtype.safetensors', syntheticWeights((sd) => { sd.set('base.conv1.0.eta', { dtype: 'float64', shape: [1], data: Float64Array.of(0.1) }); }))), says: /wrongdtype\.safetensors.*base\.conv1\.0\.eta.*float64/ });
add({ name: 'safetensors with NaN weights', args: async () => withWeights(write('nan.safetensors', syntheticWeights((sd) => { (sd.get('detail.conv2.0.theta')!.data as Float32Array)[0] = NaN; }))), says: /nan\.safetensors.*detail\.conv2\.0\.theta.*non-finite/ });
add({ name: 'safetensors with +Inf weights', args: async () => withWeights(write('inf.safetensors', syntheticWeights((sd) => { (sd.get('decoder.decoder.2.weight')!.data as Float32Array)[0] = Infinity; }))), says: /inf\.safetensors.*decoder\.decoder\.2\.weight.*non-finite/ });
add({ name: "a key 'base.conv1.999999999.kernel'", args: async () => withWeights(write('hugeidx.safetensors', syntheticWeights((sd) => { sd.set('base.conv1.999999999.kernel', { dtype: 'float32', shape: [4, 1, 3, 3], data: new Float32Array(36) }); }))), says: /hugeidx\.safetensors.*base\.conv1\.999999999\.kernel/ });
add({ name: 'truncated safetensors', args: async () => { const b = syntheticWeights(); return withWeights(write('trunc.safetensors', b.subarray(0, b.length - 10))); }, says: /trunc\.safetensors/ });
add({ name: 'safetensors header length of 2⁶³', args: async () => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1n << 63n); return withWeights(write('hdr.safetensors', b)); }, says: /hdr\.safetensors/ });
add({ name: 'weights file missing', args: async () => withWeights(f('missing.safetensors')), says: /missing\.safetensors/ });
add({ name: 'weights folder without the .model files', args: async () => { fs.mkdirSync(f('wdir'), { recursive: true }); return withWeights(f('wdir')); }, says: /wdir/ });

// ---- bad numbers and flags
add({ name: 'fuse --mode max', args: async () => fuseArgs(await ir(), await vis(), ['--mode', 'max']), says: /mode must be one of sum, average, l1, got 'max'/ });
add({ name: 'fuse --method nosuch', args: async () => fuseArgs(await ir(), await vis(), ['--method', 'nosuch']), says: /--method must be one of .*got 'nosuch'/ });
add({ name: 'fuse --option without =', args: async () => fuseArgs(await ir(), await vis(), ['--option', 'mode']), says: /--option must be KEY=VALUE, got 'mode'/ });
add({ name: 'fuse --bogus', args: () => ['fuse', '--bogus'], says: /--bogus/ });
add({ name: 'train --mu 0x10', args: () => ['train', '--mu', '0x10', '--out', f('train-hex')], says: /--mu must be a number, got '0x10'/ });
add({ name: 'train --epochs 1e3', args: () => ['train', '--epochs', '1e3', '--out', f('train-e')], says: /--epochs must be an integer, got '1e3'/ });
add({ name: 'train --epochs=-1', args: () => ['train', '--epochs=-1', '--out', f('train-neg')], says: /--epochs.*must be an integer ≥ 1, got -1/ });
add({ name: 'train --epochs -1 (a value that looks like a flag): one line, not three', args: () => ['train', '--epochs', '-1', '--out', f('train-neg2')], says: /--epochs.*argument is ambiguous.*'--epochs=-XYZ'/ });
add({ name: 'train --crop 100000', needs: 'train', args: () => ['train', '--crop', '100000', '--epochs', '1', '--out', f('train-crop')], says: /--crop \('cropSize'\) 100000 is larger than the smallest training image \(.*: \d+×\d+\)/, mayCreate: [f('train-crop')] });
add({ name: 'eval --convention foo', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', await ir(), '--convention', 'foo'], says: /--convention must be one of .*got 'foo'/ });
add({ name: 'eval --pairs 0', args: () => ['eval', '--dataset', 'tno', '--fused', 'authors', '--pairs', '0'], says: /--pairs: '0' is outside 1\.\.40/ });
add({ name: 'an unknown command', args: () => ['fusee'], says: /unknown command 'fusee'/ });

// ---- outputs that collide with inputs, unwritable and full outputs
add({ name: '--out is the --ir input', args: async () => ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', f('w-ir.png')], says: /--out .*w-ir\.png is the --ir input/ });
add({ name: '--out is the weights file', args: async () => { const w = write('keep.safetensors', syntheticWeights()); return ['fuse', '--ir', await ir(), '--vis', await vis(), '--weights', w, '--out', w]; }, says: /keep\.safetensors is the --weights input/ });
add({ name: '--out whose parent is a file', args: async () => { write('afile', 'x'); return ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', path.join(f('afile'), 'F.png')]; }, says: /afile is a file, not a folder/ });
add({ name: 'fuse --dataset --out at an existing file', args: () => { write('bfile', 'x'); return ['fuse', '--dataset', 'tno', '--out', f('bfile')]; }, says: /bfile is a file; a folder is needed there/ });
add({ name: 'eval --out at an existing file', args: () => { write('cfile', 'x'); return ['eval', '--dataset', 'tno', '--fused', 'authors', '--pairs', '1', '--out', f('cfile')]; }, says: /cfile is a file; a folder is needed there/ });
add({ name: 'train --out at an existing file', args: () => { write('dfile', 'x'); return ['train', '--epochs', '1', '--out', f('dfile')]; }, says: /dfile is a file, not a folder/, needs: 'train' });
add({ name: 'an unwritable output folder (/proc)', args: async () => ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', '/proc/auif-corpus/F.png'], says: /\/proc\/auif-corpus/ });
add({ name: 'a full file system (file-size limit 1 kB)', shell: "trap '' XFSZ; ulimit -f 1", args: async () => { const a = await noise('big-ir.png'); const b = await noise('big-vis.png'); return ['fuse', '--ir', a, '--vis', b, '--weights', write('fs.safetensors', syntheticWeights()), '--out', f('full-fs.png')]; }, says: /full-fs\.png/ });

// ---- row 9: the pixel limit (decompression-bomb guard), checked from the header before decoding
add({ name: 'JPEG header promising 60000 × 60000 pixels', args: async () => fuseArgs(await png('j-ir.png', 32, 24), write('bomb.jpg', await jpegDeclaring(60000, 60000))), says: /bomb\.jpg: the JPEG header declares 60000×60000 = 3600000000 pixels, over the limit of 178956970/ });
add({ name: 'eval: a fused image whose header promises 20000 × 20000', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', write('bombF.png', pngHeaderOnly(20000, 20000))], says: /bombF\.png: the PNG header declares 20000×20000 = 400000000 pixels, over the limit/ });
add({ name: 'fuse --max-pixels 1000 with a 40×30 pair', args: async () => fuseArgs(await ir(), await vis(), ['--max-pixels', '1000']), says: /w-(ir|vis)\.png: the PNG header declares 40×30 = 1200 pixels, over the limit of 1000/ });
add({ name: 'AUIF_MAX_PIXELS=1199 with a 40×30 pair (eval)', env: { AUIF_MAX_PIXELS: '1199' }, args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', await ir()], says: /w-(ir|vis)\.png: the PNG header declares 40×30 = 1200 pixels, over the limit of 1199/ });
add({ name: 'fuse --max-pixels 1e9 (not a whole number)', args: async () => fuseArgs(await ir(), await vis(), ['--max-pixels', '1e9']), says: /--max-pixels must be a whole number of pixels \(0: no limit\), got '1e9'/ });
add({ name: 'AUIF_MAX_PIXELS=lots', env: { AUIF_MAX_PIXELS: 'lots' }, args: async () => fuseArgs(await ir(), await vis()), says: /AUIF_MAX_PIXELS must be a whole number of pixels \(0: no limit\), got 'lots' \(reading .*w-(ir|vis)\.png\)/ });

// ---- row 13: outputs are PNG, never PNG bytes under another name
add({ name: 'fuse --out F.jpg', args: async () => ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', f('F.jpg')], says: /--out .*F\.jpg: '\.jpg' output is not written; fused images are written as PNG only .*give a \.png name/ });
add({ name: 'fuse --out F.JPEG', args: async () => ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', f('F.JPEG')], says: /F\.JPEG: '\.JPEG' output is not written/ });
add({ name: 'fuse --out F (no extension)', args: async () => ['fuse', '--ir', await ir(), '--vis', await vis(), '--out', f('F')], says: /--out .*\/F: an output name without an extension is refused/ });

// ---- row 14: raster formats only, 8 bits only, no CMYK, no transparency — alike for fuse and eval
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#888"/></svg>';
add({ name: 'an SVG given as --ir', args: async () => fuseArgs(write('in.svg', SVG), await vis()), says: /in\.svg: SVG is a vector format, not a raster image/ });
add({ name: 'an SVG named .png (content decides)', args: async () => fuseArgs(await ir(), write('svg.png', SVG)), says: /svg\.png: SVG is a vector format/ });
add({ name: 'eval: an SVG as --fused', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', write('F.svg', SVG)], says: /F\.svg: SVG is a vector format/ });
add({ name: '16-bit grey PNG as --ir', args: async () => fuseArgs(await png('ir16.png', 40, 30, { depth: 16 }), await vis()), says: /ir16\.png: 16-bit PNG; only 8-bit images are read/ });
add({ name: '16-bit RGB PNG as --vis', args: async () => fuseArgs(await ir(), await png('vis16.png', 40, 30, { channels: 3, depth: 16 })), says: /vis16\.png: 16-bit PNG; only 8-bit images are read/ });
add({ name: 'eval: a 16-bit fused PNG', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', await png('F16.png', 40, 30, { depth: 16 })], says: /F16\.png: 16-bit PNG; only 8-bit images are read/ });
add({ name: 'eval --convention vifb: a 16-bit fused PNG', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', await png('F16v.png', 40, 30, { depth: 16 }), '--convention', 'vifb'], says: /F16v\.png: 16-bit PNG/ });
add({ name: 'CMYK JPEG as --vis', args: async () => { await sharp(Buffer.alloc(40 * 30 * 3, 120), { raw: { width: 40, height: 30, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(f('cmyk.jpg')); return fuseArgs(await ir(), f('cmyk.jpg')); }, says: /cmyk\.jpg: JPEG in CMYK/ });
add({ name: 'a transparent RGBA PNG as --vis', args: async () => fuseArgs(await ir(), await png('rgba.png', 40, 30, { channels: 4 })), says: /rgba\.png: PNG with an alpha channel that is not opaque \(pixel \(0, 0\) has alpha \d+\)/ });
add({ name: 'eval: a transparent grey+alpha fused PNG', args: async () => ['eval', '--ir', await ir(), '--vis', await vis(), '--fused', await png('Fa.png', 40, 30, { channels: 2 })], says: /Fa\.png: PNG with an alpha channel that is not opaque/ });
add({ name: 'a GIF as --ir', args: async () => { await sharp(Buffer.alloc(40 * 30 * 3, 90), { raw: { width: 40, height: 30, channels: 3 } }).gif().toFile(f('in.gif')); return fuseArgs(f('in.gif'), await vis()); }, says: /in\.gif: GIF is not read here \(read: PNG, JPEG, BMP, TIFF, WebP\)/ });

t('the corpus has at least 40 cases', () => { assert.ok(cases.length >= 40, `${cases.length} cases`); });

interface Outcome { args: string[]; dir: string; before: Map<string, string>; after: Map<string, string>; r: Awaited<ReturnType<typeof runCli>> }
const outcomes = new Map<Case, Outcome | 'skipped'>();

// Every case runs once, as many at a time as there are cores; the tests below check the outcomes.
t.before(async () => {
  const skip = new Map<string, boolean>();
  for (const need of new Set(cases.map((c) => c.needs).filter(Boolean) as ('train' | 'tno')[])) skip.set(need, !(await upstreamGroup(need)));
  // Inputs are prepared one case at a time (f() writes into the current case's folder)…
  const prepared: { c: Case; dir: string; args: string[]; before: Map<string, string> }[] = [];
  for (const [i, c] of cases.entries()) {
    if (c.needs && skip.get(c.needs)) { outcomes.set(c, 'skipped'); continue; }
    const dir = path.join(tmp, `case${String(i).padStart(2, '0')}`);
    fs.mkdirSync(dir);
    caseDir = dir;
    const args = await c.args();
    prepared.push({ c, dir, args, before: snapshot(dir) });
  }
  caseDir = tmp;
  // …and the commands run in parallel.
  const queue = [...prepared];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const r = await runCli(next.args, next.c.shell, next.c.env);
      outcomes.set(next.c, { args: next.args, dir: next.dir, before: next.before, after: snapshot(next.dir), r });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(4, os.cpus().length)) }, worker));
});

for (const c of cases) {
  t(c.name, () => {
    const o = outcomes.get(c);
    if (o === 'skipped') return;
    assert.ok(o, 'the case ran');
    const { r, args, dir, before, after } = o!;
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    const errors = lines.filter((l) => /^auif( \w+)?: /.test(l));
    const detail = `\n--- ${args.join(' ')}\n${r.stderr}`;
    assert.ok(r.code !== 0 && r.code !== null, `non-zero exit (got ${r.code})${detail}`);
    assert.is(errors.length, 1, `exactly one error line${detail}`);
    assert.match(errors[0], c.says);
    assert.not.ok(lines.some((l) => /^\s+at .+[:(]/.test(l) || /^(Type|Range|Reference)Error/.test(l)), `no stack trace${detail}`);
    assert.ok(r.rssKb > 0 && r.rssKb < RSS_LIMIT_KB, `peak RSS ${(r.rssKb / 1024).toFixed(0)} MB < 2 GB`);
    assert.ok(r.ms < TIME_LIMIT_MS, `${r.ms.toFixed(0)} ms`);
    const out = path.join(dir, 'out.png');
    const allowed = [...(c.mayCreate ?? []).map((p) => path.join(dir, path.relative(tmp, p).replace(/^case\d+\//, ''))), out];
    for (const [p, sig] of after) {
      if (allowed.some((a) => p === a || p === a + '/' || p.startsWith(a + '/'))) continue;
      assert.is(before.get(p), sig, `${p} was ${before.has(p) ? 'changed' : 'created'}${detail}`);
    }
    for (const p of before.keys()) assert.ok(after.has(p), `${p} was removed`);
    assert.not.ok(fs.existsSync(out), `no output image on failure${detail}`);
    assert.not.ok([...after.keys()].some((p) => /\.tmp$|\.partial$/.test(p)), 'no temporary file left');
  });
}

t.run();
