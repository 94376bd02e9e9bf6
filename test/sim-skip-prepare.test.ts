// Departure 11 (docs/paxos-departures.md): the key's last proposer skips prepare.
import { expect } from 'chai';
import { atom, int } from '../src/term/build.js';
import { OUR_POLICY, SWI_POLICY, type Policy } from '../src/paxos/policy.js';
import { Sim } from '../src/paxos/sim.js';

const K = atom('k');

function run(policy: Policy): { prepares: number[]; acked: boolean[]; safety: number; final: unknown } {
  const sim = new Sim({ seed: 7, policy });
  for (const n of ['a', 'b', 'c']) { sim.await(sim.start(n), 10_000); sim.runFor(50); }
  sim.runFor(200);
  let prepares = 0;
  sim.dropRule = (_from, _to, m, kind) => { if (kind === 'request' && m.t === 'prepare') prepares++; return false; };
  const counts: number[] = []; const acked: boolean[] = [];
  const set = (who: string, v: number): void => {
    const before = prepares;
    acked.push(sim.await(sim.call(who, { op: 'set', key: K, value: int(v) }))?.ok === true);
    counts.push(prepares - before);
  };
  set('a', 1); set('a', 2); set('a', 3); // a owns k after its first set
  set('b', 4); // b did not write k last: full path
  set('a', 5); // a no longer owns the newest record: full path again
  set('a', 6);
  sim.runFor(500);
  const v = sim.machine('c').ledger.read(K);
  return { prepares: counts, acked, safety: sim.checkSafety().length, final: v && v.value };
}

describe('paxos simulation: the key\'s last proposer skips prepare (departure 11)', () => {
  it('ours: one round trip for repeated sets from one node, the full protocol after another writer', () => {
    const r = run(OUR_POLICY);
    expect(r.acked).to.deep.equal([true, true, true, true, true, true]);
    // Each prepare request goes to the two peers.
    expect(r.prepares).to.deep.equal([2, 0, 0, 2, 2, 0]);
    expect(r.safety).to.equal(0);
    expect(r.final).to.deep.equal(int(6));
  });

  it('SWI_POLICY (paxos.pl): every set prepares', () => {
    const r = run(SWI_POLICY);
    expect(r.prepares.every((n) => n === 2)).to.equal(true);
  });
});
