// Delete (departure 16: a set of the tombstone '$paxos_deleted') in the seeded
// simulator (a fake network: this suite is about our protocol logic).
import { expect } from 'chai';
import { int } from '../src/term/build.js';
import { termKey } from '../src/term/equal.js';
import { TOMBSTONE } from '../src/paxos/tombstone.js';
import { K, cluster, raceSetAndDelete, setThenCutOffC, valueAt } from './support/sim-delete.js';

describe('paxos simulation: delete under faults (departure 16)', function () {
  this.timeout(120_000);

  it('a node partitioned away during a delete never brings the old value back after it heals', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = cluster(seed);
      setThenCutOffC(sim, seed);
      expect(sim.await(sim.call('a', { op: 'set', key: K, value: TOMBSTONE }))?.ok, `seed ${seed}: delete`).to.equal(true);
      sim.runFor(300);
      sim.partition(undefined);
      sim.runFor(2000);
      for (const n of ['a', 'b', 'c']) {
        const r = sim.await(sim.call(n, { op: 'get', key: K, quorum: true }));
        expect(r?.ok && r.op === 'get' && termKey(r.value), `seed ${seed}: quorum read on ${n}`).to.equal(termKey(TOMBSTONE));
      }
      sim.runFor(3000);
      expect(['a', 'b', 'c'].map((n) => valueAt(sim, n)), `seed ${seed}: ledgers`).to.deep.equal(Array(3).fill(termKey(TOMBSTONE)));
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
  });

  it('a concurrent set and delete end in one agreed outcome on every node', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const sim = cluster(seed);
      const { set: s, del: d } = raceSetAndDelete(sim, 3000);
      const vals = ['a', 'b', 'c'].map((n) => valueAt(sim, n));
      expect(new Set(vals).size, `seed ${seed}: ${vals.join(' | ')}`).to.equal(1);
      // What every node holds is one of the two writes, and an acknowledged one if only one was.
      expect([termKey(int(2)), termKey(TOMBSTONE)]).to.include(vals[0]);
      if (s.result?.ok && !d.result?.ok) expect(vals[0]).to.equal(termKey(int(2)));
      if (d.result?.ok && !s.result?.ok) expect(vals[0]).to.equal(termKey(TOMBSTONE));
      outcomes.add(vals[0]!);
      expect(sim.checkSafety(), `seed ${seed}`).to.deep.equal([]);
    }
    
  });
});
