import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { DownloadError, download, partialPath, sha256File } from '../../lib/data/download.js';
import { closedPortUrl, serveTree, type FixtureServer } from './http-fixture.js';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

interface Ctx {
  tmp: string;
  dest: string;
  body: Buffer;
  server: FixtureServer;
}

async function setup(opts: Parameters<typeof serveTree>[1] = {}): Promise<Ctx> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-dl-'));
  const tree = path.join(tmp, 'srv');
  fs.mkdirSync(path.join(tree, 'dir'), { recursive: true });
  const body = crypto.randomBytes(300_000); // several chunks on the wire
  fs.writeFileSync(path.join(tree, 'dir', 'file.bin'), body);
  const server = await serveTree(tree, opts);
  return { tmp, dest: path.join(tmp, 'out', 'file.bin'), body, server };
}

async function teardown(c: Ctx): Promise<void> {
  await c.server.close();
  fs.rmSync(c.tmp, { recursive: true, force: true });
}

async function rejects(p: Promise<unknown>): Promise<DownloadError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, DownloadError);
    return e as DownloadError;
  }
  assert.unreachable('expected the download to fail');
  throw new Error('unreachable');
}

const Download = suite('data/download');

Download('downloads, verifies sha256, renames into place and reports progress', async () => {
  const c = await setup();
  try {
    const seen: number[] = [];
    const r = await download(`${c.server.baseUrl}dir/file.bin`, c.dest, {
      sha256: sha(c.body),
      size: c.body.length,
      onProgress: (n) => seen.push(n),
    });
    assert.equal(r, { bytes: c.body.length, resumedFrom: 0 });
    assert.ok(fs.readFileSync(c.dest).equals(c.body));
    assert.not.ok(fs.existsSync(partialPath(c.dest)));
    assert.is(seen[seen.length - 1], c.body.length);
    assert.equal(c.server.requests.map((q) => q.range), [undefined]);
  } finally {
    await teardown(c);
  }
});

Download('resumes a pre-existing .partial with a Range request', async () => {
  const c = await setup();
  try {
    const half = 123_457;
    fs.mkdirSync(path.dirname(c.dest), { recursive: true });
    fs.writeFileSync(partialPath(c.dest), c.body.subarray(0, half));
    const r = await download(`${c.server.baseUrl}dir/file.bin`, c.dest, { sha256: sha(c.body), size: c.body.length });
    assert.is(r.resumedFrom, half);
    assert.equal(c.server.requests, [{ path: 'dir/file.bin', range: `bytes=${half}-`, status: 206 }]);
    assert.is(await sha256File(c.dest), sha(c.body));
    assert.not.ok(fs.existsSync(partialPath(c.dest)));
  } finally {
    await teardown(c);
  }
});

Download('an interrupted transfer keeps .partial (not the final name) and the next call resumes it', async () => {
  const c = await setup({ cutOnce: new Set(['dir/file.bin']) });
  try {
    const url = `${c.server.baseUrl}dir/file.bin`;
    const e = await rejects(download(url, c.dest, { sha256: sha(c.body), size: c.body.length }));
    assert.is(e.kind, 'network');
    assert.ok(e.message.includes(url), e.message);
    assert.not.ok(fs.existsSync(c.dest));
    const kept = fs.statSync(partialPath(c.dest)).size;
    assert.ok(kept > 0 && kept < c.body.length, `kept ${kept} bytes`);
    const r = await download(url, c.dest, { sha256: sha(c.body), size: c.body.length });
    assert.is(r.resumedFrom, kept);
    assert.is(c.server.requests[1].range, `bytes=${kept}-`);
    assert.ok(fs.readFileSync(c.dest).equals(c.body));
  } finally {
    await teardown(c);
  }
});

Download('a server that ignores Range (200) makes it start over', async () => {
  const c = await setup({ ignoreRange: true });
  try {
    fs.mkdirSync(path.dirname(c.dest), { recursive: true });
    fs.writeFileSync(partialPath(c.dest), c.body.subarray(0, 1000));
    const r = await download(`${c.server.baseUrl}dir/file.bin`, c.dest, { sha256: sha(c.body), size: c.body.length });
    assert.is(r.resumedFrom, 0);
    assert.ok(fs.readFileSync(c.dest).equals(c.body));
  } finally {
    await teardown(c);
  }
});

Download('a corrupt .partial prefix is detected and the file re-fetched from scratch', async () => {
  const c = await setup();
  try {
    fs.mkdirSync(path.dirname(c.dest), { recursive: true });
    fs.writeFileSync(partialPath(c.dest), Buffer.alloc(5000, 7)); // wrong bytes
    const r = await download(`${c.server.baseUrl}dir/file.bin`, c.dest, { sha256: sha(c.body), size: c.body.length });
    assert.is(r.resumedFrom, 0);
    assert.equal(c.server.requests.map((q) => q.range), ['bytes=5000-', undefined]);
    assert.ok(fs.readFileSync(c.dest).equals(c.body));
  } finally {
    await teardown(c);
  }
});

Download('checksum mismatch: error names URL and file, nothing left under the final name', async () => {
  const c = await setup();
  try {
    const url = `${c.server.baseUrl}dir/file.bin`;
    const wrong = sha(Buffer.from('something else'));
    const e = await rejects(download(url, c.dest, { sha256: wrong, size: c.body.length }));
    assert.is(e.kind, 'checksum');
    assert.ok(e.message.includes('checksum mismatch'), e.message);
    assert.ok(e.message.includes(url) && e.message.includes(c.dest), e.message);
    assert.ok(e.message.includes(wrong) && e.message.includes(sha(c.body)), e.message);
    assert.not.ok(fs.existsSync(c.dest));
    assert.not.ok(fs.existsSync(partialPath(c.dest)));
  } finally {
    await teardown(c);
  }
});

Download('an existing final file is untouched by a failed download', async () => {
  const c = await setup();
  try {
    fs.mkdirSync(path.dirname(c.dest), { recursive: true });
    fs.writeFileSync(c.dest, 'old');
    await rejects(download(`${c.server.baseUrl}dir/file.bin`, c.dest, { sha256: sha(Buffer.from('x')) }));
    assert.is(fs.readFileSync(c.dest, 'utf8'), 'old');
  } finally {
    await teardown(c);
  }
});

Download('HTTP 404: error of kind http naming the URL', async () => {
  const c = await setup();
  try {
    const url = `${c.server.baseUrl}dir/missing.bin`;
    const e = await rejects(download(url, c.dest, { sha256: sha(c.body) }));
    assert.is(e.kind, 'http');
    assert.is(e.status, 404);
    assert.ok(e.message.includes('404') && e.message.includes(url), e.message);
    assert.not.ok(fs.existsSync(c.dest));
    assert.not.ok(fs.existsSync(partialPath(c.dest)));
  } finally {
    await teardown(c);
  }
});

Download('connection refused: error of kind network naming the URL', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-dl-'));
  try {
    const url = `${await closedPortUrl()}file.bin`;
    const e = await rejects(download(url, path.join(tmp, 'f'), { sha256: '0'.repeat(64) }));
    assert.is(e.kind, 'network');
    assert.ok(e.message.includes('connection refused') && e.message.includes(url), e.message);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

Download('a server that never answers times out', async () => {
  const c = await setup({ hang: new Set(['dir/file.bin']) });
  try {
    const url = `${c.server.baseUrl}dir/file.bin`;
    const e = await rejects(download(url, c.dest, { sha256: sha(c.body), timeoutMs: 300 }));
    assert.is(e.kind, 'timeout');
    assert.ok(e.message.includes('timed out') && e.message.includes(url), e.message);
  } finally {
    await teardown(c);
  }
});

Download.run();
