#!/usr/bin/env node
// Builds the optional native CPU kernels (native/auif_kernels.cc → build/Release/auif_kernels.node)
// with node-gyp, the addon builder bundled with npm. Runs on `npm install`/`npm ci`. A failed build
// is not an error: the library then runs every layer through tfjs (slower, same results), and
// says so when it starts. AUIF_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.AUIF_NATIVE === '0') {
  console.log('auif-ts: AUIF_NATIVE=0, native kernels not built');
  process.exit(0);
}
// npm exports the path of its bundled node-gyp to scripts; otherwise look beside npm.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
if (!gyp) {
  console.warn('auif-ts: node-gyp not found; native kernels not built (the tfjs path will be used)');
  process.exit(0);
}
// Node's own headers (Debian's nodejs ships them) spare node-gyp a download.
const prefix = path.join(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  console.warn(`auif-ts: building the native kernels failed (a C++17 compiler and Node's headers are needed);\n` +
    `the tfjs path will be used instead. node-gyp said:\n${(r.stderr || r.stdout || '').split('\n').slice(-15).join('\n')}`);
  process.exit(0);
}
console.log('auif-ts: native kernels built (build/Release/auif_kernels.node)');
