// Shared by the delete and compaction simulator suites: a three-node seeded cluster on a
// lossy fake network (these suites are about our protocol logic) and the key they delete.
import { expect } from 'chai';
import { atom, int } from '../../src/term/build.js';
import { termKey } from '../../src/term/equal.js';
import { OUR_POLICY } from '../../src/paxos/policy.js';
import { Sim } from '../../src/paxos/sim.js';
import { TOMBSTONE } from '../../src/paxos/tombstone.js';

export const K = atom('k');
export const NODES = ['a', 'b', 'c'];

/** a, b and c joined, on a network that drops `drop` and duplicates 5% of datagrams. */
export function cluster(seed: number, o: { drop?: number; settings?: Record<string, number> } = {}): Sim {
  const sim = new Sim({
    seed, policy: OUR_POLICY, ...(o.settings && { settings: o.settings }),
    net: { drop: o.drop ?? 0.05, dup: 0.05, delayMin: 0.2, delayMax: 3 },
  });
  for (const n of NODES) {
    if (!sim.await(sim.start(n), 10_000)?.ok) throw new Error(`join ${n} failed`);
    sim.runFor(50);
  }
  sim.runFor(200);
  return sim;
}

/** The newest value n's ledger holds for K, as a term key. */
export const valueAt = (sim: Sim, n: string): string | undefined => {
  const v = sim.machine(n).ledger.read(K)?.value;
  return v && termKey(v);
};

/** K set to 1 on every node, then c cut off from a and b. */
export function setThenCutOffC(sim: Sim, seed: number): void {
  expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok, `seed ${seed}: set`).to.equal(true);
  sim.runFor(300);
  sim.partition([['a', 'b'], ['c']]);
}

/** K set to 1 on a, then b sets it to 2 while c deletes it; both awaited, then `settleMs`. */
export function raceSetAndDelete(sim: Sim, settleMs: number): { set: ReturnType<Sim['call']>; del: ReturnType<Sim['call']> } {
  expect(sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok).to.equal(true);
  sim.runFor(200);
  const set = sim.call('b', { op: 'set', key: K, value: int(2) });
  const del = sim.call('c', { op: 'set', key: K, value: TOMBSTONE });
  sim.await(set); sim.await(del);
  sim.runFor(settleMs);
  return { set, del };
}
