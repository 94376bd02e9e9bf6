// Joining a running cluster as README says, with the binary as real processes
// on loopback (ports 47400-47449): `--peer SEED` alone joins a cluster of our nodes
// (the seed adds the newcomer and tells the others), a node none of whose listed
// peers answers says so, --fixed-peers keeps SWI's behaviour, and SWI's recipe
// (every node lists every node) still makes one cluster with a real swipl node.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwiNode, waitFor } from './paxos-support.js';
import { requireSwipl } from './support/swipl.js';
import { CliProcess, logLines, runBin } from './cli-support.js';

const BASE = 47400;
const udp = (i: number): number => BASE + 2 * i;
const admin = (i: number): string => `127.0.0.1:${BASE + 2 * i + 1}`;

interface Status { node: number; quorum: number[]; peers: string[] }

describe('cli: joining a running cluster from one seed address (real processes)', function () {
  this.timeout(120_000);
  let dir: string;
  const nodes: CliProcess[] = [];
  const swis: SwiNode[] = [];

  before(() => { dir = mkdtempSync(join(tmpdir(), 'pp-join-')); });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(swis.splice(0).map((s) => s.quit()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function start(i: number, extra: string[]): Promise<CliProcess> {
    const n = new CliProcess(['node', '--port', String(udp(i)), '--admin', admin(i), '--memory', ...extra], { cwd: dir });
    nodes.push(n);
    await n.waitFor(/"msg":"node ready"/);
    return n;
  }
  async function status(i: number): Promise<Status> {
    const r = await runBin(['status', '--json', '--admin', admin(i)]);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout) as Status;
  }

  it('each newcomer names one running node; every node ends with every other as peer, one quorum, and sees every set', async () => {
    await start(0, []);
    await start(1, ['--peer', `127.0.0.1:${udp(0)}`]);
    await start(2, ['--peer', `127.0.0.1:${udp(1)}`]); // a seed that itself joined by a seed
    await waitFor(async () => {
      const s = await Promise.all([0, 1, 2].map(status));
      return s.every((x, i) => x.peers.length === 2 && !x.peers.includes(`127.0.0.1:${udp(i)}`) && x.quorum.join() === '0,1,2');
    }, 10_000, 'full peer lists and one quorum of three');
    expect((await Promise.all([0, 1, 2].map(status))).map((s) => s.node).sort()).to.deep.equal([0, 1, 2]);
    for (const [from, to] of [[2, 0], [0, 2], [1, 2]] as const) {
      const key = `joined(${from})`;
      const set = await runBin(['set', '--admin', admin(from), key, `v(${from})`]);
      expect(set.code, set.stderr).to.equal(0);
      await waitFor(async () => (await runBin(['get', '--admin', admin(to), key])).stdout === `v(${from})\n`, 5000, `${key} on node ${to}`);
    }
    expect(logLines(nodes[0]!.stderr).filter((l) => l.msg === 'peer added').map((l) => l.peer).sort())
      .to.deep.equal([`127.0.0.1:${udp(1)}`, `127.0.0.1:${udp(2)}`]);
  });

  it('a node none of whose listed peers answers says so before it serves, naming them', async () => {
    const n = await start(3, ['--peer', `127.0.0.1:${udp(24)}`]);
    const lines = logLines(n.stderr);
    const warn = lines.findIndex((l) => l.level === 40 && /no listed peer answered \(127\.0\.0\.1:47448\)/.test(String(l.msg)));
    expect(warn, n.stderr).to.be.greaterThan(-1);
    expect(lines.findIndex((l) => l.msg === 'node ready')).to.be.greaterThan(warn);
    // A node that was told of no peer founds its cluster without the warning.
    const alone = await start(4, []);
    expect(logLines(alone.stderr).some((l) => /no listed peer/.test(String(l.msg)))).to.equal(false);
  });

  it('--fixed-peers: a seed hears only its listed peers and adds no newcomer', async () => {
    await start(5, ['--fixed-peers']);
    await start(6, ['--peer', `127.0.0.1:${udp(5)}`]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await status(5)).peers).to.deep.equal([]);
  });

  it("SWI's recipe still works: two of ours and a real swipl node, each listing all three", async function () {
    requireSwipl(this);
    const ports = [udp(7), udp(8), udp(9)];
    const peers = ports.flatMap((p) => ['--peer', `127.0.0.1:${p}`]);
    await start(7, peers);
    await start(8, peers);
    const swi = await SwiNode.start(ports[2]!, ports);
    swis.push(swi);
    await waitFor(async () => (await status(7)).quorum.length === 3 && (await status(8)).quorum.length === 3, 10_000, 'a quorum of three');
    expect(await swi.set('from(swi)', '"ok"')).to.equal(true);
    await waitFor(async () => (await runBin(['get', '--admin', admin(8), 'from(swi)'])).stdout === '"ok"\n', 5000, 'the swi set on ours');
    expect((await runBin(['set', '--admin', admin(7), 'from(ours)', '1'])).code).to.equal(0);
    await waitFor(async () => { const v = await swi.get('from(ours)'); return v?.kind === 'int'; }, 5000, 'our set on swi');
  });
});
