/**
 * A static file server on 127.0.0.1 (random port) for the download and staging tests: serves a
 * directory tree, honours `Range: bytes=N-` (206 + Content-Range, 416 past the end), logs every
 * request, and can misbehave on purpose (ignore ranges, cut a transfer, never answer).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RequestLog {
  /** Decoded path below the server root, e.g. `Datasets/Test_data_TNO/IR1.bmp`. */
  path: string;
  range?: string;
  status: number;
}

export interface FixtureServerOptions {
  /** Answer every request with the whole file (200), as servers without range support do. */
  ignoreRange?: boolean;
  /** Paths whose next response is cut off (socket destroyed) after half of its body. */
  cutOnce?: Set<string>;
  /** Paths that are never answered. */
  hang?: Set<string>;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>/`. */
  baseUrl: string;
  requests: RequestLog[];
  options: FixtureServerOptions;
  close(): Promise<void>;
}

export async function serveTree(root: string, options: FixtureServerOptions = {}): Promise<FixtureServer> {
  const requests: RequestLog[] = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const range = req.headers.range;
    const log = (status: number) => requests.push({ path: rel, ...(range ? { range } : {}), status });
    if (options.hang?.has(rel)) {
      log(0);
      return; // never answer
    }
    const file = path.join(root, ...rel.split('/'));
    if (rel.split('/').includes('..') || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      log(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    const m = range && !options.ignoreRange ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    let start = 0;
    let end = body.length - 1;
    if (m) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      if (start >= body.length) {
        log(416);
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
    }
    const slice = body.subarray(start, end + 1);
    const status = m ? 206 : 200;
    log(status);
    res.writeHead(status, {
      'content-type': 'application/octet-stream',
      'content-length': String(slice.length),
      'accept-ranges': 'bytes',
      ...(m ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (options.cutOnce?.has(rel)) {
      options.cutOnce.delete(rel);
      const half = slice.subarray(0, Math.floor(slice.length / 2));
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (a server is opened there, then closed). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
