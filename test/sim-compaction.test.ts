// Compaction of delete tombstones (docs/paxos-departures.md "Compaction") in the
// seeded simulator: what must never happen after a tombstone is removed.
import { expect } from 'chai';
import { int } from '../src/term/build.js';
import { termKey } from '../src/term/equal.js';
import { OUR_POLICY } from '../src/paxos/policy.js';
import { Sim } from '../src/paxos/sim.js';
import { TOMBSTONE } from '../src/paxos/tombstone.js';
import { K, NODES, cluster as simCluster, raceSetAndDelete, setThenCutOffC, valueAt } from './support/sim-delete.js';

/** Grace 0.5 s: passes every ~125 ms of simulated time. */
const SETTINGS = { compact_grace: 0.5 };
const cluster = (seed: number, drop = 0.05): Sim => simCluster(seed, { drop, settings: SETTINGS });

const recordsOf = (sim: Sim, n: string): number => sim.machine(n).ledger.entries(K).length;
const compacted = (sim: Sim): boolean => NODES.every((n) => recordsOf(sim, n) === 0);
const OLD = termKey(int(1));
/** Deleted: the tombstone, or nothing once compacted. */
const deleted = (v: string | undefined): boolean => v === undefined || v === termKey(TOMBSTONE);
/** No voting member (in a's view of the quorum) holds the old value, and no quorum read answers it. */
function noResurrection(sim: Sim, seed: number, nodes: readonly string[]): void {
  const quorum = sim.machine('a').property().quorum;
  for (const n of nodes) {
    const m = sim.machine(n);
    if (m.node !== undefined && (quorum & (1n << BigInt(m.node))) !== 0n) expect(valueAt(sim, n), `seed ${seed}: member ${n}`).to.not.equal(OLD);
    const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
    expect(r?.ok && r.op === 'get' && !deleted(termKey(r.value)), `seed ${seed}: quorum read on ${n} answers a value`).to.equal(false);
  }
  expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
}

describe('paxos simulation: compaction of tombstones', function () {
  this.timeout(180_000);

  it('removes a tombstone every member holds from every ledger, and counts it', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const sim = cluster(seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok).to.equal(true);
      expect(sim.await(sim.call('b', { op: 'set', key: K, value: TOMBSTONE }))?.ok).to.equal(true);
      expect(sim.runWhile(() => compacted(sim), 20_000), `seed ${seed}: compacted on every node`).to.equal(true);
      // Each node removed it, or dropped its data to catch up under an epoch that left it out.
      expect(NODES.some((n) => sim.machine(n).compaction().compacted === 1), `seed ${seed}: counted`).to.equal(true);
      for (const n of NODES) {
        const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
        expect(r?.ok, `seed ${seed}: ${n} reads the key as absent`).to.equal(false);
      }
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });

  it('is off by default: the tombstone stays', () => {
    const sim = new Sim({ seed: 7, policy: OUR_POLICY });
    for (const n of NODES) { sim.await(sim.start(n), 10_000); sim.runFor(50); }
    sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }));
    sim.runFor(5000);
    expect(NODES.map((n) => valueAt(sim, n))).to.deep.equal(Array(3).fill(termKey(TOMBSTONE)));
  });

  it('waits while a member missed the delete, and that member never resurrects the value after it heals', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = cluster(seed);
      setThenCutOffC(sim, seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok, `seed ${seed}: delete`).to.equal(true);
      sim.runFor(3000);
      // c does not hold the tombstone: nobody may remove it.
      expect(recordsOf(sim, 'a') > 0 && recordsOf(sim, 'b') > 0, `seed ${seed}: kept while c is away`).to.equal(true);
      sim.partition(undefined);
      expect(sim.runWhile(() => compacted(sim), 30_000), `seed ${seed}: compacted after heal`).to.equal(true);
      sim.runFor(3000);
      for (const n of NODES) {
        expect(valueAt(sim, n), `seed ${seed}: ${n} ledger`).to.equal(undefined);
        const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
        expect(r?.ok, `seed ${seed}: quorum read on ${n}`).to.equal(false);
      }
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });

  it('a removed member that held the old value drops its data before it votes again', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const sim = cluster(seed);
      setThenCutOffC(sim, seed);
      const cId = sim.machine('c').node!;
      expect(sim.await(sim.call('a', { op: 'remove', node: cId }))?.ok, `seed ${seed}: remove c`).to.equal(true);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok, `seed ${seed}: delete`).to.equal(true);
      // A member whose view still counts c waits; one that saw the removal compacts.
      expect(sim.runWhile(() => recordsOf(sim, 'a') === 0 || recordsOf(sim, 'b') === 0, 30_000), `seed ${seed}: compacted on a or b`).to.equal(true);
      expect(valueAt(sim, 'c'), `seed ${seed}: c still holds the old value`).to.equal(termKey(int(1)));
      sim.partition(undefined);
      expect(sim.runWhile(() => recordsOf(sim, 'a') === 0 && recordsOf(sim, 'b') === 0, 30_000), `seed ${seed}: compacted on a and b`).to.equal(true);
      sim.runFor(8000);
      for (const n of ['a', 'b']) {
        expect(valueAt(sim, n), `seed ${seed}: ${n}`).to.equal(undefined);
        const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
        expect(r?.ok, `seed ${seed}: quorum read on ${n}`).to.equal(false);
      }
      // c learns of the newer epoch, finds itself out of the chosen quorum, drops its data
      // and rejoins; whatever it got to, no member holds the old value.
      sim.runWhile(() => valueAt(sim, 'c') === undefined && sim.machine('c').compaction().epoch > 0, 30_000);
      noResurrection(sim, seed, NODES);
    }
  });

  it('a node back under a new id with its old ledger drops it before it votes', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const sim = cluster(seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok).to.equal(true);
      sim.runFor(500);
      const cId = sim.machine('c').node!;
      const disk = sim.crash('c');
      expect(disk.some((e) => e.key.kind === 'atom' && e.key.name === 'k'), `seed ${seed}: c's ledger holds the key`).to.equal(true);
      expect(sim.await(sim.call('a', { op: 'remove', node: cId }))?.ok, `seed ${seed}: remove c`).to.equal(true);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok, `seed ${seed}: delete`).to.equal(true);
      expect(sim.runWhile(() => recordsOf(sim, 'a') === 0 && recordsOf(sim, 'b') === 0, 30_000), `seed ${seed}: compacted`).to.equal(true);
      // Back on its old ledger, without its id (the id is dead): it joins as a new member.
      const j = sim.await(sim.start('c', undefined, disk), 20_000);
      expect(j?.ok, `seed ${seed}: c joins again`).to.equal(true);
      expect(sim.machine('c').node, `seed ${seed}: under a new id`).to.not.equal(cId);
      sim.runFor(5000);
      for (const n of NODES) {
        expect(valueAt(sim, n), `seed ${seed}: ${n}`).to.equal(undefined);
        const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
        expect(r?.ok, `seed ${seed}: quorum read on ${n}`).to.equal(false);
      }
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });

  it('a stale removed member pushing its old value to a newcomer is refused (generation floor)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const sim = cluster(seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok).to.equal(true);
      sim.runFor(500);
      sim.partition([['a', 'b', 'd'], ['c']]);
      const cId = sim.machine('c').node!;
      expect(sim.await(sim.call('a', { op: 'remove', node: cId }))?.ok, `seed ${seed}: remove c`).to.equal(true);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok, `seed ${seed}: delete`).to.equal(true);
      expect(sim.runWhile(() => recordsOf(sim, 'a') === 0 || recordsOf(sim, 'b') === 0, 30_000), `seed ${seed}: compacted`).to.equal(true);
      // A newcomer, which never held the key: c's holders of the old value do not name it.
      expect(sim.await(sim.start('d'), 20_000)?.ok, `seed ${seed}: d joins`).to.equal(true);
      sim.runFor(1000);
      sim.partition(undefined);
      sim.runFor(8000);
      for (const n of ['a', 'b', 'd']) expect(deleted(valueAt(sim, n)), `seed ${seed}: ${n}`).to.equal(true);
      noResurrection(sim, seed, ['a', 'b', 'c', 'd']);
    }
  });

  it('a set after compaction outranks an old copy (generation floor)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const sim = cluster(seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok).to.equal(true);
      const old = sim.machine('a').ledger.read(K)!;
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok).to.equal(true);
      expect(sim.runWhile(() => compacted(sim), 20_000), `seed ${seed}`).to.equal(true);
      const r = sim.await(sim.call('b', { op: 'set', key: K, value: int(3) }));
      expect(r?.ok && r.op === 'set' && r.gen > old.gen, `seed ${seed}: new generation above the old value's`).to.equal(true);
      expect(r?.ok && r.op === 'set' && r.gen >= sim.machine('b').compaction().floor, `seed ${seed}: at or above the floor`).to.equal(true);
      sim.runFor(2000);
      expect(NODES.map((n) => valueAt(sim, n)), `seed ${seed}`).to.deep.equal(Array(3).fill(termKey(int(3))));
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });

  it('a concurrent set and delete end in one agreed outcome on every node, compaction on', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const sim = cluster(seed);
      const { set: s, del: d } = raceSetAndDelete(sim, 6000);
      // A tombstone compacted away (undefined) and one still held are one outcome: deleted.
      const vals = NODES.map((n) => (deleted(valueAt(sim, n)) ? 'deleted' : valueAt(sim, n)));
      expect(new Set(vals).size, `seed ${seed}: ${vals.join(' | ')}`).to.equal(1);
      expect([termKey(int(2)), 'deleted']).to.include(vals[0]);
      if (s.result?.ok && !d.result?.ok) expect(vals[0]).to.equal(termKey(int(2)));
      if (d.result?.ok && !s.result?.ok) expect(vals[0]).to.equal('deleted');
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });
});
