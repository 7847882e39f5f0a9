/**
 * Fault injection for staged files (lib/data/stage.ts, download.ts): the write or the rename of a
 * copied or downloaded file, or of a group's stamp, fails after its temporary file exists. The
 * previous staged file (or its absence) stands, no partial file is left under the final name or
 * as a temporary, the error names the file, and the next run stages it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { StagingError, ensureStaged, stagedPath, type Source } from '../../lib/data/stage.js';
import type { Manifest } from '../../lib/data/manifest.js';
import { serveTree } from './http-fixture.js';
import { listTree, withFault, type FaultOp } from '../helpers/faults.js';

const t = suite('data/faults: staging under injected write / rename failures');
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const REL = 'Models/TCSVT_Decoder.model';

async function setup(kind: 'dir' | 'url') {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auif-stage-faults-'));
  const body = crypto.randomBytes(200_000);
  const up = path.join(tmp, 'upstream', ...REL.split('/'));
  fs.mkdirSync(path.dirname(up), { recursive: true });
  fs.writeFileSync(up, body);
  const manifest: Manifest = { repo: 'test/fake', commit: 'test', files: [{ path: REL, size: body.length, sha256: sha(body) }] };
  const server = kind === 'url' ? await serveTree(path.join(tmp, 'upstream')) : undefined;
  const sources: Source[] = kind === 'dir'
    ? [{ kind: 'dir', name: 'local', location: path.join(tmp, 'upstream') }]
    : [{ kind: 'url', name: server!.baseUrl, location: server!.baseUrl }];
  const root = path.join(tmp, 'home');
  return {
    tmp, body, manifest, sources, root, server, dest: stagedPath(REL, 'auif', root),
    opts: { root, manifest, sources, quiet: true },
    close: async () => { await server?.close(); fs.rmSync(tmp, { recursive: true, force: true }); },
  };
}

for (const kind of ['dir', 'url'] as const) {
  for (const op of ['write', 'rename'] as FaultOp[]) {
    t(`${kind === 'dir' ? 'copy from a local dir' : 'download'}: the ${op} of the staged file fails → StagingError naming it, nothing partial left; the next run stages it`, async () => {
      const c = await setup(kind);
      try {
        const modelsDir = path.dirname(c.dest);
        const r = await withFault({ op, when: (p) => (op === 'rename' ? p === c.dest : path.dirname(p) === modelsDir) }, () => ensureStaged('models', c.opts));
        assert.is(r.hits.length, 1, 'the fault fired');
        if (kind === 'url' && op === 'write') {
          // A write that fails mid-transfer is handled like a cut connection: the bytes on disk are
          // kept and the same run resumes from them with a Range request (download.ts).
          assert.is(r.error, undefined, String(r.error));
          assert.ok(fs.readFileSync(c.dest).equals(c.body));
          assert.equal(listTree(modelsDir), ['TCSVT_Decoder.model']);
          assert.match(c.server!.requests[1].range ?? '', /^bytes=\d+-$/);
          return;
        }
        assert.instance(r.error, StagingError, String((r.error as Error)?.stack));
        assert.match((r.error as Error).message, /TCSVT_Decoder\.model/);
        assert.match((r.error as Error).message, /injected/);
        assert.not.ok(fs.existsSync(c.dest), 'nothing under the final name');
        const left = fs.existsSync(modelsDir) ? listTree(modelsDir) : [];
        // A download keeps its verified-so-far .partial to resume; a copy leaves nothing.
        assert.equal(left, kind === 'url' ? ['TCSVT_Decoder.model.partial'] : []);
        const ok = await ensureStaged('models', c.opts);
        assert.is(ok[0].files, 1);
        assert.ok(fs.readFileSync(c.dest).equals(c.body));
        assert.equal(listTree(modelsDir), ['TCSVT_Decoder.model']);
      } finally {
        await c.close();
      }
    });
  }
}

t('re-staging a corrupt file: a failed rename leaves the previous (corrupt, detected) file in place and no temporary; the next run repairs it', async () => {
  const c = await setup('dir');
  try {
    await ensureStaged('models', c.opts);
    fs.writeFileSync(c.dest, Buffer.alloc(c.body.length, 1)); // same size, wrong bytes
    const before = fs.readFileSync(c.dest);
    const r = await withFault({ op: 'rename', when: (p) => p === c.dest }, () => ensureStaged('models', { ...c.opts, verify: true }));
    assert.instance(r.error, StagingError);
    assert.ok(fs.readFileSync(c.dest).equals(before), 'the previous file is untouched');
    assert.equal(listTree(path.dirname(c.dest)), ['TCSVT_Decoder.model']);
    await ensureStaged('models', { ...c.opts, verify: true });
    assert.ok(fs.readFileSync(c.dest).equals(c.body));
  } finally {
    await c.close();
  }
});

t("the group's stamp: a failed write or rename of datasets/.stamps/models.json leaves no temporary and the previous stamp", async () => {
  const c = await setup('dir');
  try {
    await ensureStaged('models', c.opts);
    const stamp = path.join(c.root, 'datasets', '.stamps', 'models.json');
    const before = fs.readFileSync(stamp, 'utf8');
    fs.rmSync(c.dest); // something to stage, so that the stamp is rewritten
    for (const op of ['write', 'rename'] as FaultOp[]) {
      const r = await withFault({ op, when: (p) => path.dirname(p) === path.dirname(stamp) && (op === 'write' || p === stamp) }, () => ensureStaged('models', c.opts));
      assert.is(r.hits.length, 1, op);
      assert.instance(r.error, Error);
      assert.is(fs.readFileSync(stamp, 'utf8'), before, `${op}: previous stamp intact`);
      assert.equal(listTree(path.dirname(stamp)), ['models.json'], `${op}: no temporary stamp left`);
      fs.rmSync(c.dest, { force: true });
    }
  } finally {
    await c.close();
  }
});

t.run();
