#!/usr/bin/env node
// The `auif` command: runs the compiled library (built by `npm install` / `npm run build`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// In a checkout, warn when lib/ is newer than dist/ (the command would run stale code).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
try {
  const built = fs.statSync(path.join(root, 'dist', 'index.js')).mtimeMs;
  const newest = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m,
    e.isDirectory() ? newest(path.join(dir, e.name)) : e.name.endsWith('.ts') ? fs.statSync(path.join(dir, e.name)).mtimeMs : 0), 0);
  if (fs.existsSync(path.join(root, 'lib')) && newest(path.join(root, 'lib')) > built) {
    process.stderr.write('[auif] warning: lib/ has changed since dist/ was built; run `npm run build`\n');
  }
} catch { /* no dist/ yet: the import below says so */ }

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
