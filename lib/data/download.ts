/**
 * HTTP(S) download of one file with resume, sha256 verification and an atomic final rename.
 *
 * Bytes go to `<dest>.partial`. An interrupted download leaves that file in place and the next
 * call resumes it with a `Range: bytes=<n>-` request (a server that ignores the range and answers
 * 200 is handled by starting over). Only when the complete file's sha256 (and size, when known)
 * match is `.partial` renamed to `<dest>`, so `<dest>` never holds a half-written or unverified
 * file. A checksum mismatch deletes `.partial` (resuming a corrupt file would never succeed).
 */
import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import crypto from 'node:crypto';
import path from 'node:path';

export type DownloadErrorKind = 'http' | 'network' | 'timeout' | 'checksum';

/** A failed download; the message names the URL and the destination file. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    message: string,
    readonly kind: DownloadErrorKind,
    readonly url: string,
    readonly file: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DownloadOptions {
  /** Expected sha256 of the whole file (hex). */
  sha256: string;
  /** Expected size in bytes, when known (lets a complete `.partial` be checked without a request). */
  size?: number;
  /** Abort when no byte arrives for this long (connect, headers or body), in ms. Default 30 000. */
  timeoutMs?: number;
  /** Called as bytes arrive with the bytes of this file held so far (resumed bytes included). */
  onProgress?: (received: number, total: number | undefined) => void;
}

export interface DownloadResult {
  /** Size of the verified file. */
  bytes: number;
  /** Bytes that were already in `.partial` and reused (0 for a fresh download). */
  resumedFrom: number;
}

/** Where a download of `dest` keeps its bytes until they are verified. */
export function partialPath(dest: string): string {
  return `${dest}.partial`;
}

/** sha256 (hex) of a file's contents, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOrZero(file: string): Promise<number> {
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found (no network or DNS?)',
  EAI_AGAIN: 'host name lookup failed (no network or DNS?)',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  EPIPE: 'connection closed',
};

function describeNetworkError(e: unknown): string {
  let err: unknown = e;
  for (let i = 0; i < 4 && err; i++) {
    const code = (err as { code?: string }).code;
    if (code && NETWORK_CODES[code]) return `${NETWORK_CODES[code]} (${code})`;
    if (code) return `${(err as Error).message ?? code} (${code})`;
    err = (err as { cause?: unknown }).cause;
  }
  const cause = (e as { cause?: { message?: string } }).cause;
  return cause?.message ? `${(e as Error).message}: ${cause.message}` : String((e as Error)?.message ?? e);
}

/**
 * Downloads `url` to `dest`, resuming `<dest>.partial` if present, and verifies the sha256.
 * Throws {@link DownloadError} (kind 'http' for a non-2xx status such as 404, 'network' for a
 * refused/reset connection, 'timeout', 'checksum' for a sha256 or size mismatch).
 */
export async function download(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const part = partialPath(dest);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  let offset = await sizeOrZero(part);
  if (opts.size !== undefined && offset > opts.size) {
    await fsp.rm(part, { force: true });
    offset = 0;
  }
  if (opts.size !== undefined && offset === opts.size && offset > 0) {
    // An earlier run got every byte but stopped before the rename: verify without a request.
    if ((await sha256File(part)) === opts.sha256) {
      await fsp.rename(part, dest);
      opts.onProgress?.(offset, opts.size);
      return { bytes: offset, resumedFrom: offset };
    }
    await fsp.rm(part, { force: true });
    offset = 0;
  }
  try {
    return await attempt(url, dest, part, offset, opts, true);
  } catch (e) {
    // A resumed file that fails the checksum may have had a bad prefix: try once from scratch.
    if (e instanceof DownloadError && e.kind === 'checksum' && offset > 0) {
      return attempt(url, dest, part, 0, opts, false);
    }
    throw e;
  }
}

async function attempt(
  url: string,
  dest: string,
  part: string,
  offset: number,
  opts: DownloadOptions,
  mayRestart: boolean,
): Promise<DownloadResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ctrl = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
  };
  const fail = (e: unknown, stage: string): DownloadError =>
    timedOut
      ? new DownloadError(`download ${stage} timed out (no data for ${timeoutMs / 1000} s): ${url} -> ${dest}`, 'timeout', url, dest, undefined, { cause: e })
      : new DownloadError(`download ${stage} failed: ${describeNetworkError(e)}: ${url} -> ${dest}`, 'network', url, dest, undefined, { cause: e });

  arm();
  let res: Response;
  try {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    res = await fetch(url, { headers, signal: ctrl.signal, redirect: 'follow' });
  } catch (e) {
    clearTimeout(timer);
    throw fail(e, 'request');
  }

  const restart = async (): Promise<DownloadResult> => {
    clearTimeout(timer);
    await res.body?.cancel().catch(() => {});
    await fsp.rm(part, { force: true });
    if (!mayRestart) throw new DownloadError(`download failed: server does not answer range requests consistently: ${url} -> ${dest}`, 'http', url, dest, res.status);
    return attempt(url, dest, part, 0, opts, false);
  };

  let start = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== offset) return restart();
    start = offset;
  } else if (res.status === 416 && offset > 0) {
    return restart(); // our .partial is not a prefix the server recognises
  } else if (!res.ok) {
    clearTimeout(timer);
    await res.body?.cancel().catch(() => {});
    throw new DownloadError(`download failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: ${url} -> ${dest}`, 'http', url, dest, res.status);
  }
  // 200 on a range request: the server sent the whole file, so start over (start stays 0).

  const hash = crypto.createHash('sha256');
  if (start > 0) {
    for await (const chunk of createReadStream(part, { end: start - 1 })) hash.update(chunk as Buffer);
  }
  const fh = await fsp.open(part, start > 0 ? 'a' : 'w');
  let received = start;
  const total = opts.size;
  opts.onProgress?.(received, total);
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        hash.update(chunk);
        await fh.write(chunk);
        received += chunk.length;
        opts.onProgress?.(received, total);
        if (total !== undefined && received > total) break;
      }
    }
  } catch (e) {
    await fh.close().catch(() => {});
    clearTimeout(timer);
    throw fail(e, 'transfer'); // .partial stays for the next call to resume
  } finally {
    clearTimeout(timer);
  }
  await fh.close();
  if (total !== undefined && received > total) {
    await res.body?.cancel().catch(() => {});
    await fsp.rm(part, { force: true });
    throw new DownloadError(`checksum mismatch: ${url} sent more than the expected ${total} bytes; deleted the partial file for ${dest}`, 'checksum', url, dest);
  }
  if (total !== undefined && received < total) {
    // The connection ended cleanly but early: keep .partial so that the next call resumes it.
    throw new DownloadError(`download transfer ended early after ${received} of ${total} bytes (kept ${part} to resume): ${url} -> ${dest}`, 'network', url, dest);
  }
  const got = hash.digest('hex');
  if (got !== opts.sha256 || (total !== undefined && received !== total)) {
    await fsp.rm(part, { force: true });
    throw new DownloadError(
      `checksum mismatch for ${dest} from ${url}: expected sha256 ${opts.sha256}` +
        `${total !== undefined ? ` (${total} bytes)` : ''}, got ${got} (${received} bytes); deleted the partial file`,
      'checksum', url, dest,
    );
  }
  await fsp.rename(part, dest);
  return { bytes: received, resumedFrom: start };
}
