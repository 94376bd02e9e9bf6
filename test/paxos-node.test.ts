// The node runtime over the real UDP transport on loopback (ports 42000-42999):
// clusters of our nodes, and mixed clusters with real SWI-Prolog 9.0.4 nodes.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atom, int } from '../src/term/build.js';
import { openScope } from '../src/transport/index.js';
import { PaxosNode } from '../src/paxos/node.js';
import { requireSwipl } from './support/swipl.js';

async function ourNode(port: number, peers: number[], node?: number): Promise<PaxosNode> {
  const transport = await openScope({
    method: 'unicast', scope: 'paxos', port, bindAddress: '127.0.0.1',
    peers: peers.map((p) => ({ ip: [127, 0, 0, 1] as const, port: p })),
  });
  return PaxosNode.start({ transport, ...(node !== undefined && { node }) });
}

async function waitFor(pred: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
    const back = await ourNode(ports[2]!, ports, id);
    nodes.push(back);
    expect(back.property().node).to.equal(id);
    await waitFor(async () => (await back.get('after_leave')) !== undefined);
    expect(await back.get('after_leave')).to.deep.equal(int(1));
    await waitFor(() => nodes[0]!.property().quorum.includes(id));
  });
});

const SWI_NODE = String.raw`
:- use_module(library(udp_broadcast)).
:- use_module(library(paxos)).
:- multifile paxos:paxos_message_hook/3.
paxos:paxos_message_hook(P,-,udp(paxos,P)) :- !.
paxos:paxos_message_hook(P,T,udp(paxos,P,T)).
start(Port, Peers) :-
    udp_broadcast_initialize(ip(127,0,0,1), [method(unicast), port(Port), scope(paxos)]),
    forall(member(Q, Peers), udp_peer_add(paxos, ip(127,0,0,1):Q)),
    sleep(0.3),
    paxos_initialize([]),
    paxos_property(node(N)), format("node(~q).~n", [N]), flush_output.
serve :- read_term(G, []), ( G == end_of_file -> halt ; (catch(G, E, (print_message(error, E), fail)) -> format("yes(~q).~n", [G]) ; format("no.~n")), flush_output, serve ).
`;

class SwiNode {
  private buf = '';
  private waiters: ((l: string) => void)[] = [];
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.waiters.shift()?.(line);
      }
    });
  }
  // Options go before the file: what follows a script file is the script's argv.
  static start(file: string, port: number, peers: number[]): Promise<{ swi: SwiNode; node: string }> {
    const proc = spawn('swipl', ['-q', '-g', `start(${port},[${peers.join(',')}])`, '-g', 'serve', file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const swi = new SwiNode(proc);
    return swi.line().then((node) => ({ swi, node }));
  }
  line(): Promise<string> { return new Promise((r) => this.waiters.push(r)); }
  query(goal: string): Promise<string> { const p = this.line(); this.proc.stdin!.write(goal + '.\n'); return p; }
  kill(): void { this.proc.kill('SIGKILL'); }
}

describe('paxos node runtime: mixed clusters with swipl', function () {
  this.timeout(60_000);
  const swis: SwiNode[] = [];
  const ours: PaxosNode[] = [];
  let file = '';
  before(function () {
    requireSwipl(this);
    file = join(mkdtempSync(join(tmpdir(), 'paxos-swi-')), 'node.pl');
    writeFileSync(file, SWI_NODE);
  });
  after(async () => {
    await Promise.all(ours.map((n) => n.close()));
    for (const s of swis) s.kill();
  });

  it('1 ours + 2 SWI: our node joins a running SWI cluster, sets and gets both ways', async () => {
    const ports = [42101, 42102, 42103];
    const a = await SwiNode.start(file, ports[0]!, ports); swis.push(a.swi);
    const b = await SwiNode.start(file, ports[1]!, ports); swis.push(b.swi);
    expect([a.node, b.node].sort()).to.deep.equal(['node(0).', 'node(1).']);
    const n = await ourNode(ports[2]!, ports); ours.push(n);
    expect(n.property().node).to.equal(2);
    await waitFor(async () => (await a.swi.query('paxos_property(quorum(7))')).startsWith('yes'));
    expect(await a.swi.query("paxos_set(from_swi, hello('SWI'))")).to.match(/^yes/);
    await waitFor(async () => (await n.get('from_swi')) !== undefined);
    expect(await n.get('from_swi')).to.deep.include({ kind: 'compound', name: 'hello' });
    expect(await n.set('from_ts', 'f([1,2,3], "str", 0.5)')).to.equal(true);
    await waitFor(async () => (await b.swi.query('paxos_get(from_ts, _)')).startsWith('yes'));
    expect(await b.swi.query('paxos_get(from_ts, V)')).to.equal('yes(paxos_get(from_ts,f([1,2,3],"str",0.5))).');
  });
});
