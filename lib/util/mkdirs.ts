/**
 * `mkdir -p` one level at a time from the nearest existing ancestor. Node's own
 * `fs.mkdir(dir, { recursive: true })` never returns for some paths on virtual file systems
 * (seen: a missing folder under /proc, Node 20), which would hang a command instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Error of {@link makeDirs}: `at` is the folder that could not be created (or the file in the way). */
export class MakeDirsError extends Error {
  constructor(message: string, readonly at: string, readonly code?: string) { super(message); this.name = 'MakeDirsError'; }
}

/** Creates `dir` and its missing parents; a file in the way or a refused mkdir is a {@link MakeDirsError}. */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    missing.unshift(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  if (fs.existsSync(at) && !fs.statSync(at).isDirectory()) throw new MakeDirsError(`${at} is a file, not a folder`, at, 'ENOTDIR');
  for (const d of missing) {
    try {
      await fs.promises.mkdir(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw new MakeDirsError(`cannot create the folder ${d} (${code ?? (e as Error).message})`, d, code);
    }
  }
}
