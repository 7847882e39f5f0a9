/**
 * Fault injection for every output path that goes through lib/io/atomic.ts: safetensors, PNG,
 * CSV/JSON results (the CLI's `eval --out`). The write or the rename fails after the temporary
 * file exists, or the process is killed between the steps: the previous file must be intact and
 * no partial file left (after a kill, only a temporary sibling, removed by the next write).
 * Also: no writer in lib/ bypasses the atomic path.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { removeStaleTemps, syncDir, tempPathFor, writeFileAtomic, writeFileAtomicSync } from '../../lib/io/atomic.js';
import { readSafetensors, writeSafetensors } from '../../lib/io/safetensors.js';
import { CheckpointError, type StateDict } from '../../lib/io/tensor_record.js';
import { ImageError, readGrey8, writeGreyPng } from '../../lib/io/image.js';
import { main } from '../../lib/cli/main.js';
import { projectRoot, upstreamGroup } from '../helpers/upstream.js';
import { listTree, withFault, type FaultOp } from '../helpers/faults.js';

const t = suite('io/atomic: fault injection');
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'auif-atomic-'));

const sd = (v: number): StateDict => new Map([['w', { dtype: 'float32', shape: [3], data: Float32Array.of(v, v + 1, v + 2) }]]);

interface Writer {
  name: string;
  file: string;
  write: (file: string, version: number) => Promise<void>;
  read: (file: string) => Promise<unknown>;
  errorClass: new (...a: never[]) => Error;
}

const WRITERS: Writer[] = [
  {
    name: 'safetensors', file: 'w.safetensors', errorClass: CheckpointError,
    write: (f, v) => writeSafetensors(f, sd(v), { version: String(v) }),
    read: async (f) => [...(readSafetensors(f).tensors.get('w')!.data as Float32Array)],
  },
  {
    name: 'PNG', file: 'f.png', errorClass: ImageError,
    write: (f, v) => writeGreyPng(f, { width: 4, height: 2, data: Float32Array.from({ length: 8 }, (_, i) => ((i * 31 + v * 17) % 256) / 255) }),
    read: async (f) => Array.from((await readGrey8(f)).data),
  },
  {
    name: 'CSV/JSON (writeFileAtomic of image.ts, used by every results writer)', file: 'r.json', errorClass: ImageError,
    write: async (f, v) => (await import('../../lib/io/image.js')).writeFileAtomic(f, Buffer.from(`${JSON.stringify({ version: v, rows: [1, 2, 3] })}\n`)),
    read: async (f) => JSON.parse(fs.readFileSync(f, 'utf8')),
  },
];

for (const w of WRITERS) {
  for (const op of ['write', 'rename'] as FaultOp[]) {
    t(`${w.name}: the ${op} fails after the temporary file exists → error naming the file, previous file intact, no partial file`, async () => {
      const dir = tmpDir();
      try {
        const file = path.join(dir, w.file);
        await w.write(file, 1);
        const before = await w.read(file);
        const bytes = fs.readFileSync(file);
        let tempSeen = false;
        const isTemp = (n: string) => n.startsWith(`.${w.file}.`) && n.endsWith('.tmp');
        const when = (p: string) => {
          if (op === 'write') return isTemp(path.basename(p));
          if (p === file) tempSeen = fs.readdirSync(dir).some(isTemp);
          return p === file;
        };
        const r = await withFault({ op, when }, () => w.write(file, 2));
        assert.is(r.hits.length, 1, 'the fault fired');
        assert.ok(op === 'write' || tempSeen, 'the temporary file existed when the rename failed');
        assert.instance(r.error, w.errorClass);
        assert.ok((r.error as Error).message.includes(file), (r.error as Error).message);
        assert.match((r.error as Error).message, /injected/);
        assert.ok(fs.readFileSync(file).equals(bytes), 'previous file intact');
        assert.equal(await w.read(file), before);
        assert.equal(listTree(dir), [w.file], 'no temporary or partial file left');
        // And the next write succeeds.
        await w.write(file, 3);
        assert.not.equal(await w.read(file), before);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

t('a process killed between writing the temporary file and the rename: previous file intact; the next write removes the leftover', async () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'w.safetensors');
    await writeSafetensors(file, sd(1));
    const bytes = fs.readFileSync(file);
    // The child writes version 2 and is SIGKILLed at its rename (after the fsync of the temporary file).
    const script = `
      import fs from 'node:fs';
      import { writeSafetensors } from ${JSON.stringify(path.join(projectRoot, 'lib/io/safetensors.ts'))};
      fs.promises.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); };
      await writeSafetensors(${JSON.stringify(file)}, new Map([['w', { dtype: 'float32', shape: [3], data: Float32Array.of(7, 8, 9) }]]));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' });
    assert.is(r.signal, 'SIGKILL', r.stderr);
    assert.ok(fs.readFileSync(file).equals(bytes), 'previous file intact');
    const left = listTree(dir).filter((f) => f !== 'w.safetensors');
    assert.is(left.length, 1, 'only the temporary sibling is left');
    assert.match(left[0], /^\.w\.safetensors\.\d+\.[0-9a-f]{8}\.tmp$/);
    assert.equal(await removeStaleTemps(path.join(dir, 'unrelated.bin')), [], 'other files’ temporaries are not touched');
    await writeSafetensors(file, sd(5));
    assert.equal(listTree(dir), ['w.safetensors'], 'the next write removed the dead process’s temporary file');
    assert.equal([...(readSafetensors(file).tensors.get('w')!.data as Float32Array)], [5, 6, 7]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t("a live process's temporary file is left alone", async () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'a.bin');
    const mine = path.join(dir, `.a.bin.${process.pid}.0123abcd.tmp`);
    fs.writeFileSync(mine, 'in flight');
    await writeFileAtomic(file, Buffer.from('x'));
    assert.ok(fs.existsSync(mine));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('eval --out (CSV + JSON results through the CLI): a failed rename exits 1 with one line, earlier results intact', async () => {
  if (!(await upstreamGroup('tno')) || !(await upstreamGroup('results-tno'))) return;
  const dir = tmpDir();
  const errors: string[] = [];
  const orig = { log: console.log, error: console.error };
  console.log = () => {};
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    const args = ['eval', '--dataset', 'tno', '--fused', 'authors', '--pairs', '1', '--out', dir];
    assert.is(await main(args), 0, errors.join('\n'));
    const before = Object.fromEntries(listTree(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
    assert.equal(Object.keys(before), ['eval_tno_paper.csv', 'eval_tno_paper.json']);
    fs.writeFileSync(path.join(dir, 'eval_tno_paper.json'), '{"marker": "previous"}\n');
    before['eval_tno_paper.json'] = fs.readFileSync(path.join(dir, 'eval_tno_paper.json'));
    const r = await withFault({ op: 'rename', when: (p) => p.endsWith('eval_tno_paper.json') }, () => main(args));
    assert.is(r.result, 1);
    assert.is(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /eval_tno_paper\.json/);
    assert.not.match(errors[0], /\n\s+at /, 'no stack trace');
    assert.equal(listTree(dir), ['eval_tno_paper.csv', 'eval_tno_paper.json']);
    assert.is(fs.readFileSync(path.join(dir, 'eval_tno_paper.json'), 'utf8'), '{"marker": "previous"}\n');
  } finally {
    console.log = orig.log;
    console.error = orig.error;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('no writer in lib/ or scripts/ bypasses the atomic path (direct writeFile / writeFileSync / createWriteStream / copyFile only where listed)', () => {
  // Allowed: atomic.ts itself; the staging/download code (their own temp + verify + rename, fault-tested in
  // test/data/faults.test.ts); train/loop.ts's log (appended line by line, truncated atomically on resume;
  // its lock file is created O_EXCL, not an output).
  const allowed = new Set(['lib/io/atomic.ts', 'lib/data/stage.ts', 'lib/data/download.ts', 'lib/train/loop.ts']);
  const offenders: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|js)$/.test(p)) {
        const rel = path.relative(projectRoot, p).split(path.sep).join('/');
        const src = fs.readFileSync(p, 'utf8');
        if (/\b(writeFileSync|createWriteStream|promises\.writeFile|fsp\.writeFile|appendFileSync|copyFileSync|promises\.copyFile|\.toFile\()/.test(src) && !allowed.has(rel)) offenders.push(rel);
      }
    }
  };
  walk(path.join(projectRoot, 'lib'));
  walk(path.join(projectRoot, 'scripts'));
  assert.equal(offenders, []);
});

t('writeFileAtomicSync (the scripts\' writer): replaces whole, removes a dead process\'s leftover, and a failed rename keeps the previous file and leaves no temporary', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'report.json');
  fs.writeFileSync(file, 'old\n');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const leftover = path.join(dir, `.report.json.${dead.stdout}.0123abcd.tmp`);
  fs.writeFileSync(leftover, 'partial');
  writeFileAtomicSync(file, 'new\n');
  assert.is(fs.readFileSync(file, 'utf8'), 'new\n');
  assert.equal(fs.readdirSync(dir), ['report.json'], 'leftover removed, no temporary left');
  // a folder in the way: the rename fails; nothing else changes
  const blocked = path.join(dir, 'sub');
  fs.mkdirSync(blocked);
  fs.writeFileSync(path.join(blocked, 'x'), 'x');
  assert.throws(() => writeFileAtomicSync(blocked, 'y'));
  assert.equal(fs.readdirSync(dir).sort(), ['report.json', 'sub']);
  assert.is(fs.readFileSync(path.join(blocked, 'x'), 'utf8'), 'x');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (a child run to completion). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

t('removeStaleTemps: only `.<name>.<pid>.<8 hex>.tmp` of a dead pid is removed; lookalikes and live pids are kept', async () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'a.bin');
    const dead = deadPid();
    const stale = `.a.bin.${dead}.0123abcd.tmp`;
    const keep = [
      `x.a.bin.${dead}.0123abcd.tmp`, // no leading dot: not ours
      `.a.bin.${dead}.0123abcd.tmp.orig`, // something after .tmp
      `.a.bin.${dead}.0123abcd.tmpx`,
      `.a.bin.${dead}.0123abc.tmp`, // 7 hex digits
      `.b.bin.${dead}.0123abcd.tmp`, // another file's
      `.a.bin.${process.ppid}.89abcdef.tmp`, // a live process (our parent)
      'a.bin',
    ];
    for (const n of [stale, ...keep]) fs.writeFileSync(path.join(dir, n), n);
    assert.equal(await removeStaleTemps(file), [stale]);
    assert.equal(listTree(dir), [...keep].sort());
    assert.equal(await removeStaleTemps(file), [], 'nothing left to remove');
    // A folder that cannot be listed: nothing removed, no error.
    assert.equal(await removeStaleTemps(path.join(dir, 'no-such-dir', 'a.bin')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t("removeStaleTemps: a pid that kill(pid, 0) refuses with EPERM (another user's live process) is alive; ESRCH is dead", async () => {
  const dir = tmpDir();
  const kill = process.kill;
  try {
    const file = path.join(dir, 'a.bin');
    const other = `.a.bin.${deadPid()}.0123abcd.tmp`;
    fs.writeFileSync(path.join(dir, other), '');
    process.kill = (() => { throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' }); }) as typeof process.kill;
    assert.equal(await removeStaleTemps(file), []);
    assert.ok(fs.existsSync(path.join(dir, other)));
    process.kill = (() => { throw Object.assign(new Error('no such process'), { code: 'ESRCH' }); }) as typeof process.kill;
    assert.equal(await removeStaleTemps(file), [other]);
  } finally {
    process.kill = kill;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('removeStaleTemps: a stale temporary removed by another writer between the listing and the removal is no error', async () => {
  const dir = tmpDir();
  const readdir = fs.promises.readdir;
  try {
    const file = path.join(dir, 'a.bin');
    const phantom = `.a.bin.${deadPid()}.0123abcd.tmp`; // listed, but gone by the time it is removed
    fs.promises.readdir = (async (...a: Parameters<typeof readdir>) => [...(await readdir(...a)) as unknown as string[], phantom]) as unknown as typeof readdir;
    assert.equal(await removeStaleTemps(file), [phantom]);
    await writeFileAtomic(file, Buffer.from('ok'));
    assert.is(fs.readFileSync(file, 'utf8'), 'ok');
  } finally {
    fs.promises.readdir = readdir;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t('tempPathFor: a sibling `.<name>.<pid>.<8 hex>.tmp`, a new one per call', () => {
  const a = tempPathFor('/x/y/F1.png');
  assert.is(path.dirname(a), '/x/y');
  assert.match(path.basename(a), new RegExp(`^\\.F1\\.png\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
  assert.is.not(tempPathFor('/x/y/F1.png'), a);
});

/** Runs `fn` with fs.promises.open/rename wrapped: records each step; `maxChunk` caps what one handle.write writes. */
async function traced<T>(maxChunk: number, fn: () => Promise<T>): Promise<{ result: T; steps: string[] }> {
  const p = fs.promises;
  const orig = { open: p.open, rename: p.rename };
  const steps: string[] = [];
  const name = (f: fs.PathLike) => (path.basename(String(f)).endsWith('.tmp') ? 'tmp' : path.basename(String(f)));
  p.open = (async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    const h = await orig.open(file, flags, mode);
    steps.push(`open ${name(file)} ${String(flags)}`);
    const write = h.write.bind(h) as (b: Uint8Array, o: number, l: number) => Promise<{ bytesWritten: number }>;
    const sync = h.sync.bind(h);
    Object.assign(h, {
      write: (b: Uint8Array, o: number, l: number) => { steps.push(`write ${o} ${l}`); return write(b, o, Math.min(l, maxChunk)); },
      sync: () => { steps.push(`sync ${name(file)}`); return sync(); },
    });
    return h;
  }) as typeof p.open;
  p.rename = (async (a: fs.PathLike, b: fs.PathLike) => { steps.push(`rename ${name(a)} ${name(b)}`); return orig.rename(a, b); }) as typeof p.rename;
  try {
    return { result: await fn(), steps };
  } finally {
    Object.assign(p, orig);
  }
}

t('writeFileAtomic: short writes are continued at the right offset; temp fsync before the rename, directory fsync after', async () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'out.bin');
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => 3 * i + 1);
    const { steps } = await traced(4, () => writeFileAtomic(file, bytes));
    assert.equal([...fs.readFileSync(file)], [...bytes]);
    assert.equal(steps, ['open tmp w', 'write 0 10', 'write 4 6', 'write 8 2', 'sync tmp', 'rename tmp out.bin', `open ${path.basename(dir)} r`, `sync ${path.basename(dir)}`]);
    assert.equal(listTree(dir), ['out.bin']);
    // An empty file: no write call, still synced and renamed.
    const empty = await traced(4, () => writeFileAtomic(file, new Uint8Array(0)));
    assert.is(fs.statSync(file).size, 0);
    assert.equal(empty.steps.filter((s) => s.startsWith('write')), []);
    // syncDir is best effort: a folder that cannot be opened is no error.
    await syncDir(path.join(dir, 'no-such-dir'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
