// Clusters on loopback (ports 42400-42499) of our nodes and real SWI-Prolog 9.0.4
// nodes (library(paxos) over library(udp_broadcast), unicast): 2 ours + 1 SWI, 3 ours
// joined by an SWI node, 5 ours. In each: a set on any member is read by every other,
// change events fire on every member, joins take a free id that everyone's quorum
// then includes, and a member leaves and rejoins under its id with its data.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Term } from '../src/term/types.js';
import { equalTerms } from '../src/term/equal.js';
import { readTerm } from '../src/text/read.js';
import { LmdbLedger } from '../src/store/index.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { requireSwipl } from './support/swipl.js';
import { SwiNode, ourNode, waitFor } from './paxos-support.js';

type Member =
  | { readonly kind: 'ours'; node: PaxosNode; readonly port: number; readonly changes: { key: Term; value: Term }[] }
  | { readonly kind: 'swi'; swi: SwiNode; readonly port: number };

const swis: SwiNode[] = [];
const ours: PaxosNode[] = [];
const dirs: string[] = [];

async function startOurs(port: number, peers: number[], o: { dir?: string; node?: number } = {}): Promise<Member> {
  const ledger = o.dir ? LmdbLedger.open(o.dir) : undefined;
  const node = await ourNode(port, peers, { ...(ledger && { ledger }), ...(o.node !== undefined && { node: o.node }) });
  ours.push(node);
  const m: Member = { kind: 'ours', node, port, changes: [] };
  node.onChange('K', 'V', (key, value) => m.changes.push({ key, value }));
  return m;
}

async function startSwi(port: number, peers: number[], opts = '[]'): Promise<Member> {
  const swi = await SwiNode.start(port, peers, opts);
  swis.push(swi);
  return { kind: 'swi', swi, port };
}

const id = (m: Member): number => (m.kind === 'ours' ? m.node.property().node! : m.swi.node);
const quorum = async (m: Member): Promise<bigint> =>
  m.kind === 'ours' ? m.node.property().quorum.reduce((q, n) => q | (1n << BigInt(n)), 0n) : m.swi.quorum();
const setOn = (m: Member, key: string, value: string): Promise<boolean> =>
  m.kind === 'ours' ? m.node.set(key, value) : m.swi.set(key, value);
const getOn = (m: Member, key: string): Promise<Term | undefined> =>
  m.kind === 'ours' ? m.node.get(key) : m.swi.get(key);
function changedOn(m: Member, key: string, value: string): boolean {
  if (m.kind === 'swi') return m.swi.changed(key, value);
  const k = readTerm(key); const v = readTerm(value);
  return m.changes.some((c) => equalTerms(c.key, k) && equalTerms(c.value, v));
}
const label = (m: Member): string => `${m.kind}@${m.port}`;

async function oneQuorum(members: Member[]): Promise<void> {
  const want = members.reduce((q, m) => q | (1n << BigInt(id(m))), 0n);
  await waitFor(async () => (await Promise.all(members.map(quorum))).every((q) => q === want), 5000, `every quorum = ${want}`);
}

/** Every member sets a key; every other member reads it; every member sees each change. */
async function allPairs(members: Member[], tag: string): Promise<void> {
  for (const [i, m] of members.entries()) {
    const key = `${tag}_${i}`; const value = `v(${i}, "from ${m.kind}", [x, 1.5])`;
    expect(await setOn(m, key, value), `set on ${label(m)}`).to.equal(true);
    for (const o of members) {
      if (o === m) continue;
      await waitFor(async () => { const v = await getOn(o, key); return v !== undefined && equalTerms(v, readTerm(value)); }, 3000, `${key} on ${label(o)}`);
    }
    await waitFor(() => members.every((o) => changedOn(o, key, value)), 3000, `changed(${key}) everywhere`);
  }
}

/** Our member leaves, its id leaves every quorum, and it rejoins with the same id and its durable data. */
async function leaveRejoin(members: Member[], i: number, dir: string, peers: number[], key: string, value: string): Promise<void> {
  const m = members[i]!;
  if (m.kind !== 'ours') throw new Error('not ours');
  const myId = id(m);
  await m.node.close();
  const rest = members.filter((x) => x !== m);
  await waitFor(async () => (await Promise.all(rest.map(quorum))).every((q) => (q & (1n << BigInt(myId))) === 0n), 5000, 'left every quorum');
  // The data is in the ledger directory itself, before any replication.
  const probe = LmdbLedger.open(dir);
  const held: string[] = [];
  for await (const e of probe.current()) if (e.key.kind === 'atom') held.push(e.key.name);
  await probe.close();
  expect(held).to.include(key);
  const back = await startOurs(m.port, peers, { dir, node: myId });
  members[i] = back;
  expect(id(back)).to.equal(myId);
  expect(back.kind === 'ours' && equalTerms(back.node.ledgerRecord(key)!.value, readTerm(value)), 'data intact at once').to.equal(true);
  await oneQuorum(members);
  expect(await setOn(back, `${key}_again`, 'back')).to.equal(true);
}

describe('paxos mixed clusters on loopback: ours and swipl', function () {
  this.timeout(60_000);
  before(function () { requireSwipl(this); });
  after(async () => {
    await Promise.all(ours.map((n) => n.close()));
    for (const s of swis) s.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('2 ours + 1 SWI: ours join a running SWI node, all read and see all; both kinds leave and rejoin', async () => {
    const ports = [42401, 42402, 42403];
    const dir = mkdtempSync(join(tmpdir(), 'paxos-mixed-')); dirs.push(dir);
    const members: Member[] = [await startSwi(ports[0]!, ports)];
    expect(id(members[0]!)).to.equal(0);
    members.push(await startOurs(ports[1]!, ports, { dir }));
    members.push(await startOurs(ports[2]!, ports));
    expect(members.map(id)).to.deep.equal([0, 1, 2]);
    await oneQuorum(members);
    expect(await quorum(members[0]!), "SWI's quorum bitmap").to.equal(7n);
    await allPairs(members, 'a');
    expect(await setOn(members[2]!, 'kept', 'durable(1)')).to.equal(true);
    await leaveRejoin(members, 1, dir, ports, 'kept', 'durable(1)');
    // The SWI node leaves (halt runs paxos_leave) and rejoins as node 0; it is caught up by replication.
    const swi = members[0]!;
    if (swi.kind !== 'swi') throw new Error('unreachable');
    await swi.swi.quit();
    await waitFor(async () => (await quorum(members[1]!)) === 6n, 5000, 'SWI left our quorum');
    members[0] = await startSwi(ports[0]!, ports, '[node(0)]');
    expect(id(members[0]!)).to.equal(0);
    await oneQuorum(members);
    const s0 = members[0]!;
    if (s0.kind !== 'swi') throw new Error('unreachable');
    await waitFor(async () => (await s0.swi.query('paxos:ledger(kept, _, durable(1))')) !== undefined, 3000, 'SWI caught up');
    await allPairs(members, 'b');
  });

  it('3 ours, then an SWI node joins ours with a free id that every quorum includes', async () => {
    const ports = [42411, 42412, 42413, 42414];
    const dir = mkdtempSync(join(tmpdir(), 'paxos-mixed-')); dirs.push(dir);
    const members: Member[] = [];
    for (const [i, p] of ports.slice(0, 3).entries()) members.push(await startOurs(p, ports, i === 2 ? { dir } : {}));
    expect(new Set(members.map(id)).size).to.equal(3);
    await oneQuorum(members);
    await allPairs(members, 'c');
    await leaveRejoin(members, 2, dir, ports, 'c_2', 'v(2, "from ours", [x, 1.5])');
    members.push(await startSwi(ports[3]!, ports));
    expect(id(members[3]!)).to.equal(3);
    await oneQuorum(members);
    expect(await quorum(members[3]!)).to.equal(15n);
    await allPairs(members, 'd');
  });

  it('5 ours: all read and see all; one leaves and rejoins with its data', async () => {
    const ports = [42421, 42422, 42423, 42424, 42425];
    const dir = mkdtempSync(join(tmpdir(), 'paxos-mixed-')); dirs.push(dir);
    const members: Member[] = [];
    for (const [i, p] of ports.entries()) members.push(await startOurs(p, ports, i === 4 ? { dir } : {}));
    expect(new Set(members.map(id)).size).to.equal(5);
    await oneQuorum(members);
    await allPairs(members, 'e');
    await leaveRejoin(members, 4, dir, ports, 'e_4', 'v(4, "from ours", [x, 1.5])');
    await allPairs(members, 'f');
  });
});
