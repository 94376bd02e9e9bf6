// An authenticated mixed cluster on loopback (ports 45100-45199): our nodes and a real
// SWI-Prolog 9.0.4 node running library(paxos) unchanged over library(udp_broadcast)
// with prolog/paxos_auth.pl loaded. It agrees as an unauthenticated one does; swipl
// nodes without the key (none, or a wrong one) cannot write, join or disturb it, and
// replayed or mangled copies of its own datagrams change nothing.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equalTerms } from '../src/term/equal.js';
import type { Term } from '../src/term/types.js';
import { readTerm } from '../src/text/read.js';
import { PaxosNode } from '../src/paxos/node.js';
import { type AuthKey, type Transport, address } from '../src/transport/index.js';
import { ROOT } from './cli-support.js';
import { SwiNode, openTransport, waitFor } from './paxos-support.js';
import { requireSwipl } from './support/swipl.js';
import { RawPeer } from './transport-support.js';

const KEY: AuthKey = { id: 'cluster1', secret: '3f9a1c77e0b54d2a8c6e1f0b9d4a7c25' };
const AUTH_PL = join(ROOT, 'prolog/paxos_auth.pl');
const PORTS = [45100, 45101, 45102];
const KEYLESS = 45103;
const WRONG = 45104;
const TAP = 45105;

const quoted = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

interface Ours { node: PaxosNode; transport: Transport }

describe('paxos: an authenticated mixed cluster (ours + swipl with prolog/paxos_auth.pl)', function () {
  this.timeout(60_000);
  let dir: string;
  let keyFile: string;
  let swi: SwiNode | undefined;
  const intruders: SwiNode[] = [];
  const ours: Ours[] = [];
  let tap: RawPeer | undefined;

  before(function () {
    requireSwipl(this);
    dir = mkdtempSync(join(tmpdir(), 'paxos-auth-'));
    keyFile = join(dir, 'keys');
    writeFileSync(keyFile, `# the cluster's key\n${KEY.id} ${KEY.secret}\n`, { mode: 0o600 });
  });
  after(async () => {
    await Promise.all(ours.map((o) => o.node.close()));
    await tap?.close();
    swi?.kill();
    for (const s of intruders) s.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const authGoal = (file: string): string => `use_module(${quoted(AUTH_PL)}), paxos_auth_configure(paxos, [key_file(${quoted(file)})])`;

  async function startOurs(port: number, peers: number[]): Promise<Ours> {
    const transport = await openTransport(port, peers, { auth: { keys: [KEY] } }) as Transport;
    const node = await PaxosNode.start({ transport });
    const o = { node, transport };
    ours.push(o);
    return o;
  }

  const valueOn = async (m: Ours | SwiNode, key: string): Promise<Term | undefined> =>
    m instanceof SwiNode ? m.get(key) : m.node.get(key);
  const setOn = (m: Ours | SwiNode, key: string, value: string): Promise<boolean> =>
    m instanceof SwiNode ? m.set(key, value) : m.node.set(key, value);
  const quorumOf = async (m: Ours | SwiNode): Promise<bigint> =>
    m instanceof SwiNode ? m.quorum() : m.node.property().quorum.reduce((q, n) => q | (1n << BigInt(n)), 0n);

  async function everyoneAgrees(members: (Ours | SwiNode)[], tag: string): Promise<void> {
    for (const [i, m] of members.entries()) {
      const key = `${tag}_${i}`; const value = `v(${i}, "é", [x, 1.5])`;
      expect(await setOn(m, key, value), `set ${key}`).to.equal(true);
      for (const o of members) {
        await waitFor(async () => { const v = await valueOn(o, key); return v !== undefined && equalTerms(v, readTerm(value)); }, 3000, `${key} everywhere`);
      }
    }
  }

  it('2 ours + 1 SWI join, agree, and read each other, every datagram signed', async () => {
    swi = await SwiNode.start(PORTS[0]!, [...PORTS, TAP], '[]', authGoal(keyFile));
    expect(swi.node).to.equal(0);
    const a = await startOurs(PORTS[1]!, [...PORTS, TAP]);
    const b = await startOurs(PORTS[2]!, [...PORTS, TAP]);
    const members = [swi, a, b];
    await waitFor(async () => (await Promise.all(members.map(quorumOf))).every((q) => q === 7n), 5000, 'one quorum of 3');
    await everyoneAgrees(members, 'signed');
    for (const o of ours) {
      expect(o.transport.counters.accepted).to.be.greaterThan(0);
      expect(o.transport.auth!.drops, 'nothing legitimate was dropped').to.deep.include({ unsigned: 0, badMac: 0, unknownKey: 0, badHeader: 0 });
    }
    expect(await swi.query('paxos_auth_drops(paxos, D), forall(member(R-N, D), (memberchk(R, [unsigned, badMac, unknownKey, badHeader]) -> N =:= 0 ; true))')).to.not.equal(undefined);
  });

  it('swipl nodes without the key, or with a wrong one, cannot join, write or disturb it', async () => {
    const members = [swi!, ours[0]!, ours[1]!];
    const wrongFile = join(dir, 'wrong');
    writeFileSync(wrongFile, `${KEY.id} ${'x'.repeat(32)}\n`, { mode: 0o600 });
    const drops0 = ours.map((o) => ({ ...o.transport.auth!.drops }));
    // Both list every member; the members hear their address (127.0.0.1) as in scope.
    const keyless = await SwiNode.start(KEYLESS, [...PORTS, KEYLESS]);
    intruders.push(keyless);
    const wrong = await SwiNode.start(WRONG, [...PORTS, WRONG], '[]', authGoal(wrongFile));
    intruders.push(wrong);
    // Nobody answered them: each made a cluster of its own, as node 0.
    expect([keyless.node, wrong.node]).to.deep.equal([0, 0]);
    expect(await keyless.set('evil', 'keyless(1)')).to.equal(true);
    expect(await wrong.set('evil', 'wrong(1)')).to.equal(true);
    await keyless.query('paxos_set(signed_0, overwritten)');
    await new Promise((r) => setTimeout(r, 500));
    for (const m of members) {
      expect(await quorumOf(m), 'quorum unchanged').to.equal(7n);
      expect(await valueOn(m, 'evil'), 'no evil key').to.equal(undefined);
      expect(equalTerms((await valueOn(m, 'signed_0'))!, readTerm('v(0, "é", [x, 1.5])')), 'value kept').to.equal(true);
    }
    for (const [i, o] of ours.entries()) {
      const d = o.transport.auth!.drops;
      expect(d.unsigned - drops0[i]!.unsigned, 'the keyless node was heard and dropped').to.be.greaterThan(0);
      expect(d.badMac - drops0[i]!.badMac, 'the wrong key was heard and dropped').to.be.greaterThan(0);
    }
    const swiDrops = await swi!.query('paxos_auth_drops(paxos, D), memberchk(unsigned-U, D), U > 0, memberchk(badMac-B, D), B > 0');
    expect(swiDrops, 'the SWI member dropped both intruders too').to.not.equal(undefined);
    // The intruders learnt nothing of the cluster either: its replies are signed.
    expect(await keyless.get('signed_1')).to.equal(undefined);
    await everyoneAgrees(members, 'after_intruders');
  });

  it('replayed and bit-flipped copies of its own datagrams change nothing', async () => {
    const members = [swi!, ours[0]!, ours[1]!];
    tap = await RawPeer.bind(TAP, '127.0.0.1');
    // The tap is everyone's peer: it gets the bytes each member sends all the others.
    expect(await setOn(ours[0]!, 'rollback', 'old')).to.equal(true);
    expect(await setOn(ours[1]!, 'rollback', 'old2')).to.equal(true);
    await new Promise((r) => setTimeout(r, 200));
    const captured = [...tap.received];
    for (const p of [PORTS[1]!, PORTS[2]!]) expect(captured.some((c) => c.from.port === p), `datagrams of ${p} captured`).to.equal(true);
    expect(await setOn(swi!, 'rollback', 'new')).to.equal(true);
    const replayed0 = ours.map((o) => o.transport.auth!.drops.replayed);
    // Each copy goes to the members that had the original: every one but its sender
    // (a member never hears its own datagrams, so one sent back to it is no replay there).
    for (const port of PORTS) {
      for (const c of captured) {
        if (c.from.port === port) continue;
        await tap.send(c.data, address('127.0.0.1', port));
        const g = Buffer.from(c.data);
        g[g.length - 2]! ^= 0x10;
        await tap.send(g, address('127.0.0.1', port));
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const [i, o] of ours.entries()) expect(o.transport.auth!.drops.replayed, `replays dropped by ours ${i}`).to.be.greaterThan(replayed0[i]!);
    for (const m of members) {
      await waitFor(async () => { const v = await valueOn(m, 'rollback'); return v !== undefined && equalTerms(v, readTerm('new')); }, 3000, 'rollback = new');
    }
    expect(await swi!.query('paxos_auth_drops(paxos, D), memberchk(replayed-R, D), R > 0')).to.not.equal(undefined);
    await everyoneAgrees(members, 'after_replays');
  });
});
