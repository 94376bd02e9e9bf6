// Learners on loopback, real UDP (ports 46000-46999): in-process nodes with a durable
// LMDB ledger (46000-46099), `prolog-paxos node --learner` processes driven by the
// client commands (46100-46199), and next to real SWI-Prolog 9.0.4 voters (46200-46299).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atom, compound, int, variable } from '../src/term/build.js';
import { equalTerms } from '../src/term/equal.js';
import type { Term } from '../src/term/types.js';
import { readTerm } from '../src/text/read.js';
import { LmdbLedger } from '../src/store/index.js';
import { decodePaxos } from '../src/paxos/messages.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { openScope, type UnicastTransport } from '../src/transport/index.js';
import { requireSwipl } from './support/swipl.js';
import { CliProcess, runCli } from './cli-support.js';
import { SwiNode, ourNode, waitFor } from './paxos-support.js';

const LOOPBACK = [127, 0, 0, 1] as const;
const has = (ids: readonly number[], n: number | undefined): boolean => n !== undefined && ids.includes(n);

/** A bare udp_broadcast peer that asks the cluster a paxos question and says which node ids replied. */
async function probe(t: UnicastTransport, body: Term, ms = 300): Promise<number[]> {
  const ids: number[] = [];
  const s = t.request(compound('paxos', body), { timeoutMs: ms });
  for await (const r of s) {
    const m = decodePaxos(r.term);
    if (m && 'node' in m && typeof m.node === 'number') ids.push(m.node);
  }
  return ids.sort((a, b) => a - b);
}

/** Node ids that answer prepare, accept and retrieve (each a vote to paxos.pl's collect/7). */
async function voters(t: UnicastTransport, tag: string): Promise<{ prepare: number[]; accept: number[]; retrieve: number[] }> {
  const key = compound('probe', atom(tag));
  return {
    prepare: await probe(t, compound('prepare', key, variable(), variable(), atom('x'))),
    // A ballot no proposer of ours makes (odd): accepted by members only, never chosen.
    accept: await probe(t, compound('accept', key, variable(), int(1), variable(), atom('x'))),
    retrieve: await probe(t, compound('retrieve', atom('$paxos_quorum'), variable(), variable(), variable())),
  };
}

describe('paxos learners: in-process nodes on real UDP with an LMDB ledger', function () {
  this.timeout(60_000);
  const VOTERS = [46001, 46002, 46003];
  const LEARNER = 46004;
  const PROBE = 46009;
  const PEERS = [...VOTERS, LEARNER, PROBE];
  let dir: string;
  const nodes: PaxosNode[] = [];
  let learner: PaxosNode | undefined;
  let t: UnicastTransport | undefined;
  const events: { key: Term; value: Term }[] = [];

  const startLearner = async (node?: number): Promise<PaxosNode> => {
    learner = await ourNode(LEARNER, PEERS, { learner: true, ledger: LmdbLedger.open(dir), ...(node !== undefined && { node }) });
    learner.onChange('K', 'V', (key, value) => events.push({ key, value }));
    return learner;
  };
  const held = (n: PaxosNode, key: string, value: string): boolean => {
    const r = n.ledgerRecord(key);
    return r !== undefined && equalTerms(r.value, readTerm(value));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paxos-learner-'));
    for (const p of VOTERS) nodes.push(await ourNode(p, PEERS));
    await startLearner();
    t = await openScope({ method: 'unicast', scope: 'paxos', port: PROBE, bindAddress: '127.0.0.1', peers: PEERS.filter((p) => p !== PROBE).map((port) => ({ ip: LOOPBACK, port })) });
  });
  after(async () => {
    for (const n of [...nodes, learner]) await n?.close().catch(() => {});
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows a 3-node cluster: every value and change event, serves local reads, and never answers a vote', async () => {
    const lid = learner!.property().node!;
    expect(learner!.property()).to.deep.include({ role: 'learner', phase: 'running' });
    await waitFor(() => nodes.every((n) => has(n.property().learners, lid)), 5000, 'the voters know the learner');
    for (const n of nodes) expect(n.property().quorum).to.have.length(3).and.not.include(lid);
    for (let i = 0; i < 10; i++) await nodes[i % 3]!.set(`f(${i})`, `v(${i}, "x")`);
    await waitFor(() => [...Array(10).keys()].every((i) => held(learner!, `f(${i})`, `v(${i}, "x")`)), 5000, 'the learner holds every value');
    expect(await learner!.get('f(3)')).to.deep.equal(readTerm('v(3, "x")'));
    await waitFor(() => events.filter((e) => e.key.kind === 'compound' && e.key.name === 'f').length === 10, 3000, 'change events');
    const v = await voters(t!, 'a');
    const ids = nodes.map((n) => n.property().node!).sort((a, b) => a - b);
    expect(v).to.deep.equal({ prepare: ids, accept: ids, retrieve: ids });
    // Healthy as a follower: not in the quorum, a majority of the members it follows reachable.
    await waitFor(() => learner!.health().ok, 5000, 'the learner is healthy');
    expect(learner!.health()).to.deep.include({ quorum: 3, needed: 2 });
    // A set through the learner is decided by the voters.
    await learner!.set('from_learner', '1');
    await waitFor(() => nodes.every((n) => held(n, 'from_learner', '1')), 3000, 'voters hold it');
  });

  it('restarts with its LMDB ledger and id and catches up what was set while it was down', async () => {
    const lid = learner!.property().node!;
    await learner!.close();
    for (let i = 0; i < 10; i++) await nodes[0]!.set(`f(${i})`, `w(${i})`);
    for (let i = 0; i < 20; i++) await nodes[1]!.set(`g(${i})`, `${i}`);
    await startLearner(lid);
    expect(learner!.property()).to.deep.include({ node: lid, role: 'learner' });
    await waitFor(() => [...Array(10).keys()].every((i) => held(learner!, `f(${i})`, `w(${i})`))
      && [...Array(20).keys()].every((i) => held(learner!, `g(${i})`, `${i}`)), 10_000, 'caught up');
    // And it is all on disk: a look at the ledger after the node closed.
    await learner!.close();
    const l = LmdbLedger.open(dir);
    try {
      const e = await l.get(readTerm('g(19)'));
      expect(e && equalTerms(e.value, int(19))).to.equal(true);
    } finally {
      await l.close();
    }
    await startLearner(lid);
  });

  it('is promoted through another node (changeRole), votes, and is demoted again; the voters count it only meanwhile', async () => {
    const lid = learner!.property().node!;
    const ids = nodes.map((n) => n.property().node!);
    await nodes[0]!.changeRole(lid, 'voter');
    expect(learner!.property().role).to.equal('voter');
    await waitFor(() => [...nodes, learner!].every((n) => has(n.property().quorum, lid)), 5000, 'every quorum holds it');
    expect((await voters(t!, 'b')).accept).to.deep.equal([...ids, lid].sort((a, b) => a - b));
    await nodes[2]!.set('while_voter', '1');
    await nodes[1]!.changeRole(lid, 'learner');
    expect(learner!.property().role).to.equal('learner');
    await waitFor(() => [...nodes, learner!].every((n) => !has(n.property().quorum, lid)), 5000, 'out of every quorum');
    expect(await voters(t!, 'c')).to.deep.equal({ prepare: [...ids].sort((a, b) => a - b), accept: [...ids].sort((a, b) => a - b), retrieve: [...ids].sort((a, b) => a - b) });
    await nodes[0]!.set('after', '2');
    await waitFor(() => held(learner!, 'after', '2'), 3000, 'still follows');
    // Refusals carry the reason.
    await nodes[0]!.changeRole(lid, 'learner').then(() => expect.fail('demoted twice'), (e: Error) => expect(e.message).to.match(/learner already/));
  });
});

describe('paxos learners: prolog-paxos node --learner, promote and demote through the CLI', function () {
  this.timeout(120_000);
  const UDP = [46101, 46102, 46103, 46104];
  const ADMIN = ['127.0.0.1:46111', '127.0.0.1:46112', '127.0.0.1:46113', '127.0.0.1:46114'];
  const peers = UDP.flatMap((p) => ['--peer', `127.0.0.1:${p}`]);
  const procs: CliProcess[] = [];
  let dir: string;
  const start = async (i: number, extra: string[] = []): Promise<CliProcess> => {
    const p = new CliProcess(['node', '--port', String(UDP[i]), ...peers, '--admin', ADMIN[i]!, ...extra]);
    procs[i] = p;
    await p.waitFor(/"msg":"node ready"/);
    return p;
  };
  const cli = (i: number, argv: string[]): ReturnType<typeof runCli> => runCli([...argv, '--admin', ADMIN[i]!]);
  const status = async (i: number): Promise<{ node: number; role: string; quorum: number[]; learners: number[] }> =>
    JSON.parse((await cli(i, ['status', '--json'])).stdout);

  before(() => { dir = mkdtempSync(join(tmpdir(), 'pp-learner-')); });
  after(async () => {
    for (const p of procs) await p?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a learner process follows, restarts after kill -9 with its ledger, catches up, and is promoted and demoted', async () => {
    for (const i of [0, 1, 2]) await start(i, ['--memory']);
    const learnerArgs = ['--learner', '--data', dir];
    await start(3, learnerArgs);
    let s = await status(3);
    expect(s.role).to.equal('learner');
    expect(s.quorum).to.have.length(3).and.not.include(s.node);
    expect((await cli(3, ['status'])).stdout).to.match(/^role {5}learner$/m);
    expect(await cli(0, ['set', 'cfg(a)', '"one"'])).to.deep.include({ code: 0 });
    await waitFor(async () => (await cli(3, ['get', 'cfg(a)'])).stdout === '"one"\n', 5000, 'learner reads it');

    await procs[3]!.stop('SIGKILL');
    for (let i = 0; i < 5; i++) expect((await cli(1, ['set', `cfg(${i})`, String(i)])).code).to.equal(0);
    expect((await cli(2, ['set', 'cfg(a)', '"two"'])).code).to.equal(0);
    await start(3, learnerArgs);
    await waitFor(async () => {
      const got = await Promise.all([0, 1, 2, 3, 4].map((i) => cli(3, ['keys', `cfg(${i})`])));
      return got.every((g) => g.stdout !== '') && (await cli(3, ['get', 'cfg(a)'])).stdout === '"two"\n';
    }, 10_000, 'the restarted learner caught up');

    // promote (the node reached), then demote it through another node's admin API.
    const lid = (await status(3)).node;
    expect(await cli(3, ['promote'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    s = await status(3);
    expect(s.role).to.equal('voter');
    await waitFor(async () => (await status(0)).quorum.includes(lid), 5000, 'voter 0 counts it');
    expect((await cli(0, ['set', 'cfg(b)', '1'])).code).to.equal(0);
    expect(await cli(0, ['demote', '--node', String(lid)])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect((await status(3)).role).to.equal('learner');
    await waitFor(async () => !(await status(0)).quorum.includes(lid) && (await status(0)).learners.includes(lid), 5000, 'out of the quorum, in the learners');
    const again = await cli(0, ['demote', '--node', String(lid)]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/learner already/);
    expect((await cli(0, ['promote', '--node', 'x'])).code).to.equal(2);
    // The routes themselves: POST only, a node id or nothing.
    expect((await fetch(`http://${ADMIN[0]}/promote`)).status).to.equal(405);
    const bad = await fetch(`http://${ADMIN[0]}/demote?node=abc`, { method: 'POST' });
    expect([bad.status, (await bad.text()).trim()]).to.deep.equal([400, 'node must be a node id, got abc']);
    // A node that does not exist never answers: a clear failure, not a hang.
    const none = await cli(0, ['promote', '--node', '999']);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.match(/node 999 did not answer within 10 s/);
  });
});

describe('paxos learners next to SWI-Prolog voters', function () {
  this.timeout(60_000);
  const SWI = [46201, 46202];
  const OURS = 46203;
  const LEARNER = 46204;
  const PEERS = [...SWI, OURS, LEARNER];
  const swis: SwiNode[] = [];
  const ours: PaxosNode[] = [];

  before(async function () {
    await requireSwipl(this);
  });
  after(async () => {
    for (const n of ours) await n.close().catch(() => {});
    for (const s of swis) await s.quit();
  });

  it('2 SWI voters + 1 of ours + 1 learner: SWI never counts the learner, its sets succeed, the learner gets every value', async () => {
    for (const p of SWI) swis.push(await SwiNode.start(p, PEERS));
    const voter = await ourNode(OURS, PEERS);
    ours.push(voter);
    const learner = await ourNode(LEARNER, PEERS, { learner: true });
    ours.push(learner);
    const lid = learner.property().node!;
    const want = (1n << BigInt(swis[0]!.node)) | (1n << BigInt(swis[1]!.node)) | (1n << BigInt(voter.property().node!));
    await waitFor(async () => (await Promise.all(swis.map((s) => s.quorum()))).every((q) => q === want), 5000, 'SWI quorums without the learner');
    for (let i = 0; i < 10; i++) expect(await swis[i % 2]!.set(`s(${i})`, `v(${i})`), `SWI set ${i}`).to.equal(true);
    expect(await swis[0]!.get('s(3)')).to.deep.equal(readTerm('v(3)'));
    await waitFor(() => [...Array(10).keys()].every((i) => {
      const r = learner.ledgerRecord(`s(${i})`);
      return r !== undefined && equalTerms(r.value, readTerm(`v(${i})`));
    }), 5000, 'the learner holds the SWI sets');
    // Membership checks came and went (1 s each): still no SWI quorum with the learner.
    await new Promise((r) => setTimeout(r, 2500));
    for (const s of swis) expect((await s.quorum()) & (1n << BigInt(lid))).to.equal(0n);
    expect(voter.property().quorum).to.not.include(lid);
    // paxos.pl stores our learners key as an ordinary key.
    expect(await swis[1]!.get("'$paxos_learners'")).to.deep.equal(int(1n << BigInt(lid)));
    // Down while SWI sets keys, back with its id and an empty ledger: our voter pushes
    // it everything (SWI voters push to their quorum only).
    await learner.close();
    ours.pop();
    for (let i = 0; i < 5; i++) expect(await swis[i % 2]!.set(`t(${i})`, `${i}`)).to.equal(true);
    const back = await ourNode(LEARNER, PEERS, { learner: true, node: lid });
    ours.push(back);
    await waitFor(() => [...Array(5).keys()].every((i) => back.ledgerRecord(`t(${i})`) !== undefined)
      && [...Array(10).keys()].every((i) => back.ledgerRecord(`s(${i})`) !== undefined), 10_000, 'caught up from our voter');
    for (const s of swis) expect((await s.quorum()) & (1n << BigInt(lid))).to.equal(0n);
  });
});
