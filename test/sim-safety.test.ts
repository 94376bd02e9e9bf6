// Thousands of seeded simulation runs of our nodes under drops, duplicates, reordering,
// partitions and crashes, each checked for safety: no two nodes ever hold different
// values at one generation of a key, and every acknowledged set is the value at its
// generation wherever that generation is held. A failing seed is printed; replay it
// with fuzzRun(seed, OUR_POLICY).
import { expect } from 'chai';
import { fuzzRun } from '../src/paxos/fuzz.js';
import { OUR_POLICY, SWI_POLICY } from '../src/paxos/policy.js';

describe('paxos simulation: safety', function () {
  this.timeout(120_000);

  it('our nodes: 1500 seeded runs with faults keep every acknowledged value', () => {
    const failing: string[] = [];
    let sets = 0; let okSets = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const f = fuzzRun(seed, OUR_POLICY);
      const v = f.sim.checkSafety();
      if (v.length > 0) failing.push(`seed ${seed}: ${v[0]!.what} ${v[0]!.key}@${v[0]!.gen}`);
      for (const h of f.sets) { sets++; if (h.result?.ok) okSets++; }
    }
    if (failing.length) console.log('failing seeds (replay with fuzzRun(seed, OUR_POLICY)):\n' + failing.join('\n'));
    expect(failing).to.deep.equal([]);
    // Liveness under the same faults: most sets succeed.
    expect(okSets / sets).to.be.greaterThan(0.85);
  });

  it('a faithful copy of paxos.pl violates safety under the same faults (the checker can fail)', () => {
    let violating = 0;
    for (let seed = 1; seed <= 60; seed++) if (fuzzRun(seed, SWI_POLICY).sim.checkSafety().length > 0) violating++;
    expect(violating).to.be.greaterThan(0);
  });

  it('runs replay: the same seed gives the same history', () => {
    const a = fuzzRun(4242, OUR_POLICY);
    const b = fuzzRun(4242, OUR_POLICY);
    expect(a.sim.messages).to.equal(b.sim.messages);
    expect(a.sets.map((h) => h.result)).to.deep.equal(b.sets.map((h) => h.result));
  });
});
