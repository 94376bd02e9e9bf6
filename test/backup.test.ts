// `prolog-paxos backup` of a live node's LMDB ledger, while sets keep arriving, and a
// node started on the copy serving the data (docs/operations.md). Real node processes,
// real disk. Ports 47630-47649.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteCluster } from '../src/index.js';
import { compound, int } from '../src/term/index.js';
import { CliProcess, runCli } from './cli-support.js';

const ADMIN = [47640, 47641, 47642, 47643];
const UDP = [47630, 47631, 47632, 47633];

/** Node on ports UDP[i], ADMIN[i], with id `id` (null: no --node-id, a fresh id) and unicast peers `peers` (indexes). */
function startNode(i: number, data: string, id: number | null = 0, peers: readonly number[] = [i]): CliProcess {
  return new CliProcess(['node', '--data', data, ...(id === null ? [] : ['--node-id', String(id)]), '--port', String(UDP[i]),
    ...peers.map((p) => `--peer=127.0.0.1:${UDP[p]}`), '--admin', `127.0.0.1:${ADMIN[i]}`]);
}

async function runToEnd(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new CliProcess(argv);
  p.proc.stdin!.end();
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), 30_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout, stderr: p.stderr };
}

describe('backup: a live node\'s ledger copied while it writes, and restored', function () {
  this.timeout(120_000);
  let dir: string;
  const nodes: CliProcess[] = [];
  const clients: RemoteCluster[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pp-backup-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const n of nodes.splice(0)) await n.stop();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a node started on the backup serves every value set before it, and each later value it has is the one set', async () => {
    const live = join(dir, 'live');
    const copy = join(dir, 'copy');
    nodes.push(startNode(0, live));
    await nodes[0]!.waitFor(/"msg":"node ready"/);
    const a = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[0]! });
    clients.push(a);
    for (let i = 0; i < 40; i++) expect(await a.set(compound('k', int(i)), compound('v', int(i)))).to.include({ ok: true });

    // Sets keep arriving while the backup runs (bounded: at most 2000).
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing && written < 2000) {
        const r = await a.set(compound('w', int(written)), compound('v', int(written)));
        if (!r.ok) throw new Error(`set w(${written}): ${r.reason}`);
        written++;
      }
    })();
    while (written < 20) await new Promise((r) => setTimeout(r, 10));
    const backup = await runToEnd(['backup', '--data', live, copy]);
    writing = false;
    await writer;
    expect(backup, backup.stderr).to.include({ code: 0, stdout: `backed up ${live} into ${copy}\n` });
    expect(written).to.be.greaterThan(20);
    expect(await nodes[0]!.stop()).to.equal(0);

    // Restore: the whole (single-node) cluster comes back from the copy, same id.
    nodes.push(startNode(1, copy));
    await nodes[1]!.waitFor(/"msg":"node ready"/);
    const b = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[1]! });
    clients.push(b);
    for (let i = 0; i < 40; i++) expect(await b.get(compound('k', int(i)))).to.deep.equal(compound('v', int(i)));
    const later = (await runCli(['keys', 'w(_)', '--admin', `127.0.0.1:${ADMIN[1]}`])).stdout.split('\n').filter((l) => l !== '');
    expect(later.length).to.be.at.least(20).and.at.most(written);
    for (const k of later) {
      const n = Number(/^w\((\d+)\)$/.exec(k)![1]);
      expect(await b.get(compound('w', int(n)))).to.deep.equal(compound('v', int(n)));
    }
    expect((await b.status()).quorum).to.deep.equal([0]);
  });

  it('a three-node cluster restored from one member\'s backup, each member with its old --node-id, serves the data on every member and agrees on new sets; a lost member replaced from the backup under a new id catches up', async () => {
    const members = [1, 2, 3];
    const started = (ps: CliProcess[]): Promise<string[]> => Promise.all(ps.map((p) => p.waitFor(/"msg":"node ready"/)));
    const first = members.map((i) => startNode(i, join(dir, `m${i}`), i - 1, members));
    nodes.push(...first);
    await started(first);
    const c = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[1]! });
    clients.push(c);
    for (let i = 0; i < 10; i++) expect(await c.set(compound('k', int(i)), compound('v', int(i)))).to.include({ ok: true });
    expect(await runToEnd(['backup', '--data', join(dir, 'm1'), join(dir, 'm-backup')])).to.include({ code: 0 });
    for (const p of first) expect(await p.stop()).to.equal(0);

    // Every member's data lost: the backup copied into each directory, each back under its id.
    for (const i of members) {
      rmSync(join(dir, `m${i}`), { recursive: true });
      expect(await runToEnd(['backup', '--data', join(dir, 'm-backup'), join(dir, `m${i}`)])).to.include({ code: 0 });
    }
    const again = members.map((i) => startNode(i, join(dir, `m${i}`), i - 1, members));
    nodes.push(...again);
    await started(again);
    for (const i of members) {
      const m = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[i]! });
      clients.push(m);
      for (let k = 0; k < 10; k++) expect(await m.get(compound('k', int(k)))).to.deep.equal(compound('v', int(k)));
      expect([...(await m.status()).quorum].sort()).to.deep.equal([0, 1, 2]);
    }
    expect(await clients.at(-1)!.set(compound('k', int(10)), int(10))).to.include({ ok: true });
    expect(await clients.at(-3)!.read(compound('k', int(10)), { quorum: true })).to.deep.include({ ok: true, value: int(10) });

    // One member lost (kill -9, its disk gone): a replacement on a copy of the backup under a
    // new id (no --node-id), the old id removed; it catches up with the set made after the backup.
    await again[2]!.stop('SIGKILL');
    rmSync(join(dir, 'm3'), { recursive: true });
    expect(await runToEnd(['backup', '--data', join(dir, 'm-backup'), join(dir, 'm3')])).to.include({ code: 0 });
    const replacement = startNode(3, join(dir, 'm3'), null, members);
    nodes.push(replacement);
    await replacement.waitFor(/"msg":"node ready"/);
    const r = new RemoteCluster({ host: '127.0.0.1', port: ADMIN[3]! });
    clients.push(r);
    const id = (await r.status()).node!;
    expect(id).to.not.be.oneOf([0, 1, 2]);
    expect(await runCli(['remove', '--node', '2', '--admin', `127.0.0.1:${ADMIN[1]}`])).to.include({ code: 0 });
    const survivor = clients.at(-4)!;
    expect([...(await survivor.status()).quorum].sort()).to.deep.equal([0, 1, id].sort());
    expect(await r.get(compound('k', int(3)))).to.deep.equal(compound('v', int(3)));
    const deadline = Date.now() + 20_000;
    while ((await r.get(compound('k', int(10))))?.kind !== 'int' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    expect(await r.get(compound('k', int(10)))).to.deep.equal(int(10));
    expect(await r.set(compound('k', int(11)), int(11))).to.include({ ok: true });
  });

  it('refuses, with one line and exit 1, a directory without a ledger and a destination that has one', async () => {
    expect(await runToEnd(['backup', '--data', join(dir, 'nothing'), join(dir, 'x')])).to.deep.equal({
      code: 1, stdout: '', stderr: `prolog-paxos backup: ${join(dir, 'nothing')} holds no ledger (no data.mdb)\n`,
    });
    expect(await runToEnd(['backup', '--data', join(dir, 'live'), join(dir, 'copy')])).to.deep.equal({
      code: 1, stdout: '', stderr: `prolog-paxos backup: ${join(dir, 'copy')} already holds a ledger: back up into a new directory\n`,
    });
    expect((await runToEnd(['backup'])).code).to.equal(2);
  });
});
