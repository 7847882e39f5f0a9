// npm run site [-- OUT_DIR]: builds the static AUIF teaching page (lib/site/build.ts) into site/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite } from '../lib/site/build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'site'));
try {
  const { files } = await buildSite(out);
  for (const f of files) console.log(`  ${path.join(path.relative(process.cwd(), out) || '.', f.name)}  ${(f.bytes / 1024).toFixed(0)} KiB`);
  console.log(`open ${path.join(out, 'index.html')} in a browser (file:// works; no server needed)`);
} catch (e) {
  console.error(`site: ${(e as Error).message.split('\n')[0]}`);
  process.exit(1);
}
