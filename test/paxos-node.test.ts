// The node runtime over the real UDP transport on loopback (ports 42000-42999):
// clusters of our nodes, and mixed clusters with real SWI-Prolog 9.0.4 nodes.
import { expect } from 'chai';
import { atom, int } from '../src/term/build.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { requireSwipl } from './support/swipl.js';
import { ourNode, SwiNode, Switch, waitFor } from './paxos-support.js';

describe('paxos node runtime: our nodes on loopback', function () {
  this.timeout(30_000);
  const ports = [42001, 42002, 42003];
  let nodes: PaxosNode[] = [];

  after(async () => { await Promise.all(nodes.map((n) => n.close())); });

  it('three nodes join with distinct ids and one quorum, in well under 0.5 s each after the first', async () => {
    const times: number[] = [];
    for (const p of ports) {
      const t0 = Date.now();
      nodes.push(await ourNode(p, ports));
      times.push(Date.now() - t0);
    }
    const ids = nodes.map((n) => n.property().node);
    expect(new Set(ids).size).to.equal(3);
    await waitFor(() => nodes.every((n) => n.property().quorum.length === 3));
    expect(times[1]).to.be.lessThan(450); // ~100 ms idle; the 2 shared cores add jitter
    expect(times[2]).to.be.lessThan(450);
  });

  it('a set on any node is read by every other, and change events fire everywhere', async () => {
    const seen: string[][] = nodes.map(() => []);
    const offs = nodes.map((n, i) => n.onChange('greeting', 'V', (_k, v) => seen[i]!.push(JSON.stringify(v))));
    expect(await nodes[1]!.set('greeting', 'hello(world)')).to.equal(true);
    for (const n of nodes) expect(await n.get('greeting')).to.deep.include({ kind: 'compound', name: 'hello' });
    await waitFor(() => seen.every((s) => s.length > 0));
    offs.forEach((f) => f());
  });

  it('refuses to set a key or value with variables, as paxos_set/3 does', async () => {
    let error: unknown;
    try { await nodes[0]!.set('k(X)', 'v'); } catch (e) { error = e; }
    expect(String(error)).to.match(/must be ground/);
    error = undefined;
    try { await nodes[0]!.set('k', 'f(_)'); } catch (e) { error = e; }
    expect(String(error)).to.match(/must be ground/);
  });

  it('leave and rejoin with the same id keeps the data', async () => {
    const last = nodes.pop()!;
    const id = last.property().node!;
    await last.close();
    await waitFor(() => !nodes[0]!.property().quorum.includes(id));
    expect(await nodes[0]!.set(atom('after_leave'), int(1))).to.equal(true);
    const back = await ourNode(ports[2]!, ports, { node: id });
    nodes.push(back);
    expect(back.property().node).to.equal(id);
    await waitFor(async () => (await back.get('after_leave')) !== undefined);
    expect(await back.get('after_leave')).to.deep.equal(int(1));
    await waitFor(() => nodes[0]!.property().quorum.includes(id));
  });
});

describe('paxos node runtime: a set answered at majority (departure 12)', function () {
  this.timeout(30_000);
  const nodes: PaxosNode[] = [];
  after(async () => { await Promise.all(nodes.map((n) => n.close())); });

  it('is still announced when its node closes while the round waits for a silent member', async () => {
    const ports = [42004, 42005, 42006];
    const cut = new Switch();
    // No membership checks meanwhile: they settle unconfirmed records too (departure 6).
    const settings = { membership_interval: 60 };
    nodes.push(await ourNode(ports[0]!, ports, { settings }), await ourNode(ports[1]!, ports, { settings }), await ourNode(ports[2]!, ports, { settings, wrap: cut.wrap }));
    await waitFor(() => nodes.every((n) => n.property().quorum.length === 3));
    const [a, b] = nodes as [PaxosNode, PaxosNode];
    cut.connected = false; // c hears nothing: a's accept round stays open (2 s) after a and b decided
    expect(await a.set('bye', '1', { timeout: 2 })).to.equal(true);
    expect(b.ledgerRecord('bye'), 'not confirmed on b before the round ends').to.equal(undefined);
    await a.close();
    await waitFor(() => b.ledgerRecord('bye') !== undefined, 300, 'bye confirmed on b');
    expect(b.ledgerRecord('bye')!.value).to.deep.equal(int(1));
    cut.connected = true;
  });
});

describe('paxos node runtime: mixed clusters with swipl', function () {
  this.timeout(60_000);
  const swis: SwiNode[] = [];
  const ours: PaxosNode[] = [];
  before(function () { requireSwipl(this); });
  after(async () => {
    await Promise.all(ours.map((n) => n.close()));
    for (const s of swis) s.kill();
  });

  it('1 ours + 2 SWI: our node joins a running SWI cluster, sets and gets both ways', async () => {
    const ports = [42101, 42102, 42103];
    const a = await SwiNode.start(ports[0]!, ports); swis.push(a);
    const b = await SwiNode.start(ports[1]!, ports); swis.push(b);
    expect([a.node, b.node].sort()).to.deep.equal([0, 1]);
    const n = await ourNode(ports[2]!, ports); ours.push(n);
    expect(n.property().node).to.equal(2);
    await waitFor(async () => (await a.quorum()) === 7n);
    expect(await a.set('from_swi', "hello('SWI')")).to.equal(true);
    await waitFor(async () => (await n.get('from_swi')) !== undefined);
    expect(await n.get('from_swi')).to.deep.include({ kind: 'compound', name: 'hello' });
    expect(await n.set('from_ts', 'f([1,2,3], "str", 0.5)')).to.equal(true);
    await waitFor(async () => (await b.get('from_ts')) !== undefined);
    expect(await b.query('paxos_get(from_ts, V)')).to.equal('paxos_get(from_ts,f([1,2,3],"str",0.5))');
  });
});
