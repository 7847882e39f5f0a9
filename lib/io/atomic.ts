/**
 * Atomic file replacement, the one way every output of the package is written (images, results
 * tables, safetensors weights and checkpoints): the bytes go to a temporary sibling
 * `.<name>.<pid>.<random>.tmp`, which is fsync'ed and then renamed over `<name>` (rename(2) is
 * atomic within a directory), and the directory is fsync'ed where the platform allows. A reader
 * sees the previous file or the new one, never a mix; a failed write or rename removes the
 * temporary file and leaves the previous file untouched. A process killed between the steps can
 * leave only a temporary sibling, never a partial `<name>`; the next write of `<name>` removes
 * such leftovers of processes that no longer run ({@link removeStaleTemps}).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/** The temporary sibling a write of `file` by this process uses (pid + random suffix). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary siblings of `file` left by processes that no longer run; returns their names. */
export async function removeStaleTemps(file: string): Promise<string[]> {
  const dir = path.dirname(file), base = path.basename(file);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (!m || m[1] !== base || alive(Number(m[2]))) continue;
    await fs.promises.rm(path.join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}

/** fsync of a directory (persists a rename); best effort: not every platform opens directories. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const h = await fs.promises.open(dir, 'r');
    try { await h.sync(); } finally { await h.close(); }
  } catch { /* best effort */ }
}

/**
 * Replaces `file` with `bytes` atomically (see the module comment). Throws the underlying error
 * (callers wrap it in their own error class naming the file).
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await removeStaleTemps(file);
  const tmp = tempPathFor(file);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'w');
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
      written += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, file);
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(path.dirname(file));
}

/** {@link writeFileAtomic} for synchronous callers (scripts): temporary sibling, fsync, rename, directory fsync. */
export function writeFileAtomicSync(file: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const dir = path.dirname(file), base = path.basename(file);
  try {
    for (const n of fs.readdirSync(dir)) {
      const m = TEMP_RE.exec(n);
      if (m && m[1] === base && !alive(Number(m[2]))) fs.rmSync(path.join(dir, n), { force: true });
    }
  } catch { /* no folder yet: the open below says so */ }
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    let written = 0;
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const d = fs.openSync(dir, 'r');
    try { fs.fsyncSync(d); } finally { fs.closeSync(d); }
  } catch { /* best effort */ }
}
