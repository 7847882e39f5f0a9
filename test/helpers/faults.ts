/**
 * Fault injection for the atomic-write tests: makes the next write or rename whose target matches
 * a predicate fail with EIO after the temporary file exists (a write stores half of its bytes
 * first), by patching `fs.promises` (the object `node:fs/promises` exports, which lib/ calls
 * through) and `fs.createWriteStream`. Everything is restored when `fn` settles.
 */
import fs from 'node:fs';

export type FaultOp = 'write' | 'rename';

export interface Fault {
  op: FaultOp;
  /** Which target path fails (default: any). For 'rename' the destination is tested. */
  when?: (target: string) => boolean;
  /** Fail the n-th matching call (1-based, default 1); later calls pass. */
  nth?: number;
}

export interface FaultOutcome<T> {
  /** What `fn` threw (undefined when it did not). */
  error?: unknown;
  result?: T;
  /** Targets of the injected failures. */
  hits: string[];
}

const injected = (what: string) => Object.assign(new Error(`injected ${what} failure`), { code: 'EIO' });

/** Runs `fn` with `fault` armed; never throws what `fn` throws (it is returned). */
export async function withFault<T>(fault: Fault, fn: () => Promise<T>): Promise<FaultOutcome<T>> {
  const when = fault.when ?? (() => true);
  const nth = fault.nth ?? 1;
  let seen = 0;
  const hits: string[] = [];
  const fire = (target: string): boolean => {
    if (!when(target)) return false;
    seen++;
    if (seen !== nth) return false;
    hits.push(target);
    return true;
  };
  const p = fs.promises;
  const orig = { rename: p.rename, writeFile: p.writeFile, open: p.open, createWriteStream: fs.createWriteStream };
  if (fault.op === 'rename') {
    p.rename = (async (from: fs.PathLike, to: fs.PathLike) => {
      if (fire(String(to))) throw injected(`rename ${String(from)} -> ${String(to)}`);
      return orig.rename(from, to);
    }) as typeof p.rename;
  } else {
    p.writeFile = (async (file: Parameters<typeof p.writeFile>[0], data: Parameters<typeof p.writeFile>[1], opts?: Parameters<typeof p.writeFile>[2]) => {
      if (typeof file === 'string' && fire(file)) {
        const b = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
        await orig.writeFile(file, b.subarray(0, b.length >> 1));
        throw injected(`write ${file}`);
      }
      return orig.writeFile(file, data, opts);
    }) as typeof p.writeFile;
    p.open = (async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
      const h = await orig.open(file, flags, mode);
      const writing = typeof flags === 'string' && /[wa]/.test(flags);
      if (!writing || !when(String(file))) return h;
      const write = h.write.bind(h) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
      let armed = true;
      (h as unknown as { write: unknown }).write = async (buf: Uint8Array, offset = 0, length = buf.length - offset, position?: number) => {
        if (armed && fire(String(file))) {
          armed = false;
          await write(buf, offset, Math.max(1, length >> 1), position);
          throw injected(`write ${String(file)}`);
        }
        return write(buf, offset, length, position);
      };
      return h;
    }) as typeof p.open;
    fs.createWriteStream = ((file: fs.PathLike, opts?: unknown) => {
      const s = orig.createWriteStream(file, opts as Parameters<typeof fs.createWriteStream>[1]);
      if (!when(String(file))) return s;
      const w = (s as unknown as { _write: (c: Buffer, e: string, cb: (err?: Error | null) => void) => void })._write.bind(s);
      (s as unknown as { _write: unknown })._write = (chunk: Buffer, enc: string, cb: (err?: Error | null) => void) => {
        if (fire(String(file))) return w(chunk.subarray(0, chunk.length >> 1), enc, () => cb(injected(`write ${String(file)}`)));
        return w(chunk, enc, cb);
      };
      return s;
    }) as typeof fs.createWriteStream;
  }
  try {
    return { result: await fn(), hits };
  } catch (error) {
    return { error, hits };
  } finally {
    Object.assign(p, { rename: orig.rename, writeFile: orig.writeFile, open: orig.open });
    fs.createWriteStream = orig.createWriteStream;
  }
}

/** Every entry of `dir` (recursively), `/`-separated, sorted. */
export function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split('\\').join('/')).sort();
}
