// Learners in the seeded simulator (a fake network: this suite is about our protocol
// logic; test/paxos-learners.test.ts runs real processes and swipl). A learner gets
// every agreed value, never votes (never replies to prepare, accept or retrieve,
// never in a '$paxos_quorum' value), and does not change what the voters can do.
import { expect } from 'chai';
import { atom, compound, int } from '../src/term/build.js';
import { equalTerms, termKey } from '../src/term/equal.js';
import type { Term } from '../src/term/types.js';
import { has } from '../src/paxos/bits.js';
import { clientsRun, type ClientsOptions } from '../src/paxos/fuzz.js';
import { LEARNERS_KEY, QUORUM_KEY } from '../src/paxos/machine.js';
import type { PaxosMsg } from '../src/paxos/messages.js';
import { OUR_POLICY, SWI_POLICY } from '../src/paxos/policy.js';
import { Sim } from '../src/paxos/sim.js';
import { checkRegisters, explain, formatOps } from './support/linearizability.js';
import { simHistory } from './support/sim-history.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const VOTES = new Set(['prepare', 'accept', 'retrieve']);

/**
 * Watches every datagram: a reply to a vote from one of `learnerAddrs` while it runs
 * as a learner (any reply at all with `strict`), or a quorum value naming a learner,
 * is a breach.
 */
function watch(sim: Sim, learnerAddrs: readonly string[], strict = false): { breaches: string[] } {
  const out = { breaches: [] as string[] };
  const ids = (): number[] => learnerAddrs.flatMap((a) => {
    const m = sim.nodes.get(a)?.machine;
    return m?.node !== undefined && m.role === 'learner' ? [m.node] : [];
  });
  sim.onTransmit = (from, _to, msg, kind) => {
    if (kind === 'reply' && VOTES.has(msg.t) && learnerAddrs.includes(from) && (strict || sim.nodes.get(from)?.machine?.role === 'learner')) {
      out.breaches.push(`${from} (a learner) replied to ${msg.t}`);
    }
    if ('key' in msg && 'value' in msg && msg.value !== undefined && equalTerms(msg.key, QUORUM_KEY) && msg.value.kind === 'int') {
      const q = BigInt(msg.value.value);
      for (const n of ids()) if (has(q, n)) out.breaches.push(`${msg.t} of '$paxos_quorum' = ${q} from ${from} names learner ${n}`);
    }
  };
  return out;
}

function newSim(seed: number, policy = OUR_POLICY): Sim {
  return new Sim({ seed, policy, settings: { membership_interval: 0.5, dead_release: 5 }, net: { drop: 0, dup: 0, delayMin: 0.1, delayMax: 0.5 } });
}

function start(sim: Sim, addr: string, learner = false, policy = OUR_POLICY): void {
  const r = sim.await(sim.start(addr, undefined, undefined, { learner, policy }), 5000);
  expect(r?.ok, `${addr} joins: ${JSON.stringify(r)}`).to.equal(true);
  sim.runFor(20);
}

function set(sim: Sim, addr: string, key: Term, value: Term): boolean {
  const r = sim.await(sim.call(addr, { op: 'set', key, value }), 5000);
  return r?.ok === true;
}

function local(sim: Sim, addr: string, key: Term): Term | undefined {
  return sim.machine(addr).ledger.read(key)?.value;
}

describe('paxos simulation: learners', function () {
  this.timeout(300_000);

  it('seeded client runs with faults and learners stay linearizable; learners converge, never vote, never enter the quorum', () => {
    const cases: [ClientsOptions, number[]][] = [[{ nodes: 3, learners: 1 }, range(1, 30)], [{ nodes: 3, learners: 2 }, range(31, 60)], [{ nodes: 5, learners: 2 }, range(61, 75)]];
    const bad: string[] = []; const unconverged: string[] = []; const breaches: string[] = [];
    let sets = 0; let acked = 0;
    for (const [o, seeds] of cases) {
      for (const seed of seeds) {
        let w: { breaches: string[] } | undefined;
        const addrs = range(0, (o.learners ?? 0) - 1).map((i) => `l${i}`);
        const res = clientsRun(seed, OUR_POLICY, { ...o, observe: (sim) => { w = watch(sim, addrs, true); } });
        breaches.push(...w!.breaches.slice(0, 1).map((b) => `seed ${seed}: ${b}`));
        const h = simHistory(res.ops);
        for (const x of h) if (x.kind === 'write') { sets++; if (x.outcome === 'ok') acked++; }
        for (const v of checkRegisters(h)) {
          if (v.result !== 'linearizable') bad.push(`seed ${seed} ${JSON.stringify(o)} ${v.key}: ${v.result}\n${formatOps(explain(v.key, h.filter((x) => x.key === v.key)))}`);
        }
        for (const [key, vals] of res.final) {
          const lv = res.learnerFinal.get(key)!;
          if (!vals.every((x) => x !== undefined && x === vals[0]) || !lv.every((x) => x === vals[0])) {
            unconverged.push(`seed ${seed} ${key}: voters ${vals.join(' | ')}; learners ${lv.join(' | ')}`);
          }
        }
        // No voter's view counts a learner; each learner's view of the learners names it.
        for (const l of res.learners) {
          const m = res.sim.nodes.get(l)!.machine!;
          expect(m.role, `seed ${seed}: ${l}`).to.equal('learner');
          for (const a of res.sim.nodes.keys()) {
            const v = res.sim.nodes.get(a)!.machine;
            if (v && has(v.quorum, m.node!)) breaches.push(`seed ${seed}: ${a}'s quorum view names learner ${l}`);
          }
        }
      }
    }
    expect(breaches, breaches.join('\n')).to.deep.equal([]);
    expect(bad, bad[0]).to.deep.equal([]);
    expect(unconverged, unconverged.join('\n')).to.deep.equal([]);
    expect(acked / sets).to.be.greaterThan(0.9);
  });

  it('the watch can fail: a learner that answered votes would be caught', () => {
    // One run with the learner turned into a voter by hand once it runs (its quorum
    // entry untouched): it replies to votes, which the strict watch reports.
    let w: { breaches: string[] } | undefined;
    clientsRun(3, OUR_POLICY, {
      nodes: 3, learners: 1, ms: 1500, faults: false,
      observe: (sim) => {
        w = watch(sim, ['l0'], true);
        const inner = sim.onTransmit!;
        sim.onTransmit = (from, to, msg, kind) => {
          const m = sim.nodes.get('l0')?.machine;
          if (m?.phase === 'running' && m.role === 'learner' && msg.t === 'accept' && kind === 'request') m.role = 'voter';
          inner(from, to, msg, kind);
        };
      },
    });
    expect(w!.breaches.length).to.be.greaterThan(0);
  });

  it('liveness: 3 voters + 2 learners: sets succeed with 1 voter down, and fail with 2 down whatever the learners do', () => {
    const sim = newSim(7);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    for (const l of ['l0', 'l1']) start(sim, l, true);
    const w = watch(sim, ['l0', 'l1']);
    let learnerReplies = 0;
    const inner = sim.onTransmit!;
    sim.onTransmit = (from, to, msg, kind) => { if (kind === 'reply' && from.startsWith('l') && msg.t !== 'learn') learnerReplies++; inner(from, to, msg, kind); };
    sim.runFor(1000);
    expect(sim.machine('a').quorum).to.equal(0b111n);
    sim.crash('c');
    for (let i = 0; i < 20; i++) expect(set(sim, 'a', atom('k'), int(i)), `set ${i} with c down`).to.equal(true);
    sim.runFor(200);
    for (const l of ['l0', 'l1']) expect(local(sim, l, atom('k')), l).to.deep.equal(int(19));
    sim.crash('b');
    const r = sim.await(sim.call('a', { op: 'set', key: atom('k'), value: int(99) }), 5000);
    expect(r?.ok).to.equal(false);
    // A learner proposing fares no better: it cannot make up a majority either.
    const viaLearner = sim.await(sim.call('l0', { op: 'set', key: atom('k'), value: int(98) }), 5000);
    expect(viaLearner?.ok).to.equal(false);
    expect(local(sim, 'l1', atom('k'))).to.deep.equal(int(19));
    expect(learnerReplies).to.equal(0);
    expect(w.breaches).to.deep.equal([]);
  });

  it('a learner can propose: its set is chosen by the voters alone', () => {
    const sim = newSim(8);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    start(sim, 'l0', true);
    const w = watch(sim, ['l0']);
    expect(set(sim, 'l0', atom('from_learner'), int(1))).to.equal(true);
    sim.runFor(50);
    for (const a of ['a', 'b', 'c', 'l0']) expect(local(sim, a, atom('from_learner')), a).to.deep.equal(int(1));
    expect(w.breaches).to.deep.equal([]);
  });

  it('a learner down while keys change catches up from our voters\' pushes after a restart with its ledger and id', () => {
    const sim = newSim(9);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    start(sim, 'l0', true);
    for (let i = 0; i < 20; i++) expect(set(sim, 'a', compound('old', int(i)), int(0))).to.equal(true);
    sim.runFor(500);
    const id = sim.machine('l0').node;
    const data = sim.crash('l0');
    for (let i = 0; i < 20; i++) expect(set(sim, 'b', compound('old', int(i)), int(1))).to.equal(true);
    for (let i = 0; i < 30; i++) expect(set(sim, 'c', compound('new', int(i)), int(i))).to.equal(true);
    expect(sim.await(sim.start('l0', id, data, { learner: true }), 5000)?.ok).to.equal(true);
    expect(sim.machine('l0').node).to.equal(id);
    const caughtUp = (): boolean => range(0, 19).every((i) => equalTerms(local(sim, 'l0', compound('old', int(i))) ?? atom('none'), int(1)))
      && range(0, 29).every((i) => equalTerms(local(sim, 'l0', compound('new', int(i))) ?? atom('none'), int(i)));
    expect(sim.runWhile(caughtUp, 3000), 'caught up within 3 s simulated').to.equal(true);
  });

  it('next to SWI voters only (paxos.pl\'s rules): SWI never counts the learner; the learner gets broadcasts and refreshes the keys it knew, not new ones', () => {
    const sim = newSim(10, SWI_POLICY);
    for (const a of ['a', 'b', 'c']) start(sim, a, false, SWI_POLICY);
    start(sim, 'l0', true, OUR_POLICY);
    const w = watch(sim, ['l0']);
    for (let i = 0; i < 10; i++) expect(set(sim, 'a', compound('k', int(i)), int(0))).to.equal(true);
    sim.runFor(100);
    for (let i = 0; i < 10; i++) expect(local(sim, 'l0', compound('k', int(i)))).to.deep.equal(int(0));
    const id = sim.machine('l0').node!;
    for (const a of ['a', 'b', 'c']) expect(has(sim.machine(a).quorum, id), `${a}'s quorum`).to.equal(false);
    // The learners key is an ordinary key to paxos.pl: stored and replicated, never acted on.
    expect(local(sim, 'a', LEARNERS_KEY)).to.deep.equal(int(1n << BigInt(id)));
    const data = sim.crash('l0');
    for (let i = 0; i < 10; i++) expect(set(sim, 'b', compound('k', int(i)), int(1))).to.equal(true);
    expect(set(sim, 'b', atom('unseen'), int(1))).to.equal(true);
    sim.runFor(100); // no announcement still in flight when it comes back
    expect(sim.await(sim.start('l0', id, data, { learner: true, policy: OUR_POLICY }), 5000)?.ok).to.equal(true);
    sim.runFor(2000);
    for (let i = 0; i < 10; i++) expect(local(sim, 'l0', compound('k', int(i))), `k(${i}) refreshed`).to.deep.equal(int(1));
    expect(local(sim, 'l0', atom('unseen')), 'a key it never heard of').to.equal(undefined);
    expect(w.breaches).to.deep.equal([]);
  });

  it('promote and demote: one member at a time; a demoted member stops voting before the others stop counting it', () => {
    const sim = newSim(11);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    start(sim, 'l0', true);
    const lid = sim.machine('l0').node!;
    const cid = sim.machine('c').node!;
    // Replies to votes per node, and when each role change was chosen.
    const voted: { from: string; at: number }[] = [];
    sim.onTransmit = (from, _to, msg: PaxosMsg, kind) => { if (kind === 'reply' && VOTES.has(msg.t)) voted.push({ from, at: sim.now }); };
    expect(sim.await(sim.call('l0', { op: 'promote' }), 5000)).to.deep.include({ ok: true, op: 'promote' });
    sim.runFor(100);
    for (const a of ['a', 'b', 'c', 'l0']) expect(has(sim.machine(a).quorum, lid), `${a} counts l0`).to.equal(true);
    expect(sim.machine('l0').role).to.equal('voter');
    expect(has(sim.machine('a').learners, lid)).to.equal(false);
    expect(set(sim, 'a', atom('k'), int(1))).to.equal(true);
    expect(voted.some((v) => v.from === 'l0')).to.equal(true);
    // Demote c: from the moment it is a learner, c never replies to a vote again, and
    // the others stop counting it only after that.
    const demote = sim.call('c', { op: 'demote' });
    sim.runWhile(() => sim.machine('c').role === 'learner', 1000);
    const silentFrom = sim.now;
    expect(has(sim.machine('a').quorum, cid), 'still counted when it fell silent').to.equal(true);
    expect(sim.await(demote, 5000)).to.deep.include({ ok: true, op: 'demote' });
    sim.runFor(100);
    for (const a of ['a', 'b', 'c', 'l0']) expect(has(sim.machine(a).quorum, cid), `${a} counts c`).to.equal(false);
    expect(has(sim.machine('a').learners, cid)).to.equal(true);
    for (let i = 2; i < 12; i++) expect(set(sim, 'b', atom('k'), int(i))).to.equal(true);
    sim.runFor(2000);
    expect(voted.filter((v) => v.from === 'c' && v.at > silentFrom)).to.deep.equal([]);
    expect(local(sim, 'c', atom('k'))).to.deep.equal(int(11));
    expect(sim.checkSafety()).to.deep.equal([]);
    // Refused: the last voter cannot step down, nor a learner be demoted.
    expect(sim.await(sim.call('c', { op: 'demote' }), 5000)).to.deep.include({ ok: false });
  });

  it('a learner restarted as a voter (no learner flag) leaves the learners; one restarted as a learner leaves the quorum', () => {
    const sim = newSim(12);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    start(sim, 'l0', true);
    const lid = sim.machine('l0').node!;
    let data = sim.crash('l0');
    expect(sim.await(sim.start('l0', lid, data), 5000)?.ok).to.equal(true);
    sim.runFor(1500);
    expect(has(sim.machine('a').quorum, lid)).to.equal(true);
    expect(has(sim.machine('a').learners, lid)).to.equal(false);
    data = sim.crash('l0');
    expect(sim.await(sim.start('l0', lid, data, { learner: true }), 5000)?.ok).to.equal(true);
    sim.runFor(1500);
    expect(has(sim.machine('a').quorum, lid)).to.equal(false);
    expect(has(sim.machine('a').learners, lid)).to.equal(true);
    expect(set(sim, 'a', atom('k'), int(5))).to.equal(true);
  });

  it('a voter that missed the learner\'s registration learns of it by replication and pushes to it', () => {
    const sim = newSim(14);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    // c hears nothing of '$paxos_learners' while l0 registers.
    sim.dropRule = (_f, to, m) => to === 'c' && 'key' in m && equalTerms(m.key, LEARNERS_KEY);
    start(sim, 'l0', true);
    sim.runFor(50);
    sim.dropRule = undefined;
    const lid = sim.machine('l0').node!;
    expect(has(sim.machine('c').learners, lid), 'c missed it').to.equal(false);
    expect(sim.runWhile(() => has(sim.machine('c').learners, lid), 3000), 'c knows l0 within 3 s').to.equal(true);
    // Only c is left to push: l0, cut off from the others, still gets what it lacks.
    sim.crash('l0');
    for (let i = 0; i < 5; i++) expect(set(sim, 'a', compound('m', int(i)), int(i))).to.equal(true);
    sim.dropRule = (from, to) => to === 'l0' && from !== 'c';
    expect(sim.await(sim.start('l0', lid, [], { learner: true }), 5000)?.ok).to.equal(true);
    expect(sim.runWhile(() => range(0, 4).every((i) => local(sim, 'l0', compound('m', int(i))) !== undefined), 3000)).to.equal(true);
  });

  it('a learner gone for good is dropped from the learners after dead_release; a quiet live one stays', () => {
    const sim = newSim(13);
    for (const a of ['a', 'b', 'c']) start(sim, a);
    start(sim, 'l0', true);
    start(sim, 'l1', true);
    const gone = sim.machine('l1').node!;
    const quiet = sim.machine('l0').node!;
    sim.crash('l1');
    sim.runFor(8000); // dead_release is 5 s here; nothing is set, so l0 gets no pushes either
    for (const a of ['a', 'b', 'c']) {
      expect(has(sim.machine(a).learners, gone), `${a}: l1 released`).to.equal(false);
      expect(has(sim.machine(a).learners, quiet), `${a}: l0 kept`).to.equal(true);
    }
    expect(termKey(local(sim, 'l0', LEARNERS_KEY)!)).to.equal(termKey(int(1n << BigInt(quiet))));
  });
});
