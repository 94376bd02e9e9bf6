// Random workloads for the simulator: one seeded run = cluster start, concurrent
// sets and gets on a few keys from random nodes, faults (drops, duplicates,
// reordering, partitions, crashes with or without data), then a quiet period.
import { atom, compound, int } from '../term/build.js';
import type { Policy } from './policy.js';
import { type CallHandle, Sim, prng } from './sim.js';

export interface FuzzOptions {
  readonly nodes?: number;
  readonly ops?: number;
  readonly faults?: boolean;
}

export interface FuzzResult {
  readonly seed: number;
  readonly sim: Sim;
  readonly sets: CallHandle[];
  readonly gets: CallHandle[];
}

export function fuzzRun(seed: number, policy: Policy, o: FuzzOptions = {}): FuzzResult {
  const r = prng(seed ^ 0x5eed);
  const nNodes = o.nodes ?? 3 + Math.floor(r() * 3);
  const faults = o.faults ?? true;
  const sim = new Sim({
    seed, policy,
    net: faults
      ? { drop: r() * 0.08, dup: r() * 0.05, delayMin: 0.1, delayMax: 0.5 + r() * 4 }
      : { drop: 0, dup: 0, delayMin: 0.1, delayMax: 1 },
    // Keep membership churn inside the run's horizon.
    settings: { membership_interval: 0.5, dead_release: 5 },
  });
  const addrs = Array.from({ length: nNodes }, (_, i) => `n${i}`);
  const joins = addrs.map((a) => {
    sim.runFor(r() * 40);
    return sim.start(a);
  });
  sim.runWhile(() => joins.every((j) => j.done), 5000);
  const keys = [atom('k'), compound('user', atom('bob')), int(7)];
  const sets: CallHandle[] = [];
  const gets: CallHandle[] = [];
  const nOps = o.ops ?? 12;
  for (let i = 0; i < nOps; i++) {
    sim.runFor(r() * 15);
    const a = addrs[Math.floor(r() * nNodes)]!;
    const node = sim.nodes.get(a)!;
    if (faults && r() < 0.06) {
      if (node.machine) {
        const id = node.machine.node;
        const data = sim.crash(a);
        const keep = r() < 0.5;
        // A fresh node that sees no member founds a cluster of its own; merging two
        // clusters is out of scope (docs/paxos-departures.md), so heal before it joins.
        if (!keep) sim.partition(undefined);
        sim.runFor(r() * 50);
        // With its data a node rejoins under its old id (paxos_initialize([node(Id)])).
        sim.start(a, keep ? id : undefined, keep ? data : undefined);
      }
      continue;
    }
    if (faults && r() < 0.05) {
      const cut = addrs.filter(() => r() < 0.4);
      sim.partition([cut, addrs.filter((x) => !cut.includes(x))]);
      continue;
    }
    if (faults && r() < 0.08) { sim.partition(undefined); continue; }
    if (!node.up || node.machine!.phase !== 'running') continue;
    const key = keys[Math.floor(r() * keys.length)]!;
    if (r() < 0.7) sets.push(sim.call(a, { op: 'set', key, value: int(i) }));
    else gets.push(sim.call(a, { op: 'get', key }));
  }
  sim.partition(undefined);
  sim.runFor(1500);
  return { seed, sim, sets, gets };
}
