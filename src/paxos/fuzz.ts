// Random workloads for the simulator: one seeded run = cluster start, concurrent
// sets and gets on a few keys from random nodes, faults (drops, duplicates,
// reordering, partitions, crashes with or without data), then a quiet period.
import { atom, compound, int } from '../term/build.js';
import { termKey } from '../term/equal.js';
import { type Policy, SWI_POLICY } from './policy.js';
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

export interface ClientsOptions {
  readonly nodes?: number;
  /** Concurrent clients; each waits for its operation before the next, as an HTTP client does. */
  readonly clients?: number;
  readonly keys?: number;
  /** Simulated run time, ms (faults happen in it; then a healed, quiet tail). */
  readonly ms?: number;
  readonly faults?: boolean;
  /** A client gives up on an operation after this long (ms): its outcome is then unknown. */
  readonly clientTimeoutMs?: number;
  /**
   * Learners (l0, l1, ...) next to the voters: they join after them, take the same
   * faults (which never count against the voters' minority), and clients never use them.
   */
  readonly learners?: number;
  /**
   * SWI members (s0, s1, ...) under SWI_POLICY, counted in `nodes`: they join last,
   * clients never use them and they are never crashed (SWI's ledger is in memory),
   * but they are partitioned and paused like the others (a mixed cluster).
   */
  readonly swi?: number;
  /** Called with the simulator before anything runs (a checker installs Sim.onTransmit). */
  readonly observe?: (sim: Sim) => void;
}

export interface ClientOp {
  readonly client: number;
  readonly handle: CallHandle;
  /** When the client stopped waiting (a timeout); undefined when the call ended first. */
  gaveUpAt?: number;
}

export interface ClientsResult {
  readonly seed: number;
  readonly sim: Sim;
  /** The clients' operations, then (client -1) a quorum read of every key on every node after healing. */
  readonly ops: ClientOp[];
  /** Per key, the values the final quorum reads returned, one per node (undefined: the read failed). */
  readonly final: Map<string, (string | undefined)[]>;
  /** The learners' addresses, and per key each learner's local value after healing (undefined: none). */
  readonly learners: readonly string[];
  readonly learnerFinal: Map<string, (string | undefined)[]>;
}

/**
 * A Jepsen-like run in the simulator: clients loop over sets of unique values and
 * quorum reads on a few keys, each on a random node, while faults (loss, duplicates,
 * reordering, partitions, crash and restart with the durable ledger, pauses as
 * SIGSTOP/SIGCONT) come and go. Then everything heals and every node is read.
 */
export function clientsRun(seed: number, policy: Policy, o: ClientsOptions = {}): ClientsResult {
  const r = prng(seed ^ 0xc11e);
  const nNodes = o.nodes ?? 3;
  const faults = o.faults ?? true;
  const runMs = o.ms ?? 4000;
  const timeout = o.clientTimeoutMs ?? 1000;
  const sim = new Sim({
    seed, policy,
    net: faults
      ? { drop: r() * 0.05, dup: r() * 0.02, delayMin: 0.05, delayMax: 0.3 + r() * 2 }
      : { drop: 0, dup: 0, delayMin: 0.05, delayMax: 0.3 },
    settings: { membership_interval: 0.5, dead_release: 5 },
  });
  o.observe?.(sim);
  const nSwi = o.swi ?? 0;
  const addrs = Array.from({ length: nNodes - nSwi }, (_, i) => `n${i}`);
  const swis = Array.from({ length: nSwi }, (_, i) => `s${i}`);
  const learners = Array.from({ length: o.learners ?? 0 }, (_, i) => `l${i}`);
  const isLearner = (a: string): boolean => learners.includes(a);
  const isSwi = (a: string): boolean => swis.includes(a);
  const as = (a: string): { learner?: boolean; policy?: Policy } => (isLearner(a) ? { learner: true } : isSwi(a) ? { policy: SWI_POLICY } : {});
  for (const a of [...addrs, ...swis, ...learners]) {
    const j = sim.start(a, undefined, undefined, as(a));
    if (!sim.await(j, 5000)?.ok) throw new Error(`seed ${seed}: ${a} did not join`);
    sim.runFor(20);
  }
  sim.runFor(200);
  const everyone = [...addrs, ...swis, ...learners];
  const keys = Array.from({ length: o.keys ?? 2 }, (_, i) => compound('k', int(i)));
  const ops: ClientOp[] = [];
  const nClients = o.clients ?? 4;
  const busy: (ClientOp | undefined)[] = Array.from({ length: nClients }, () => undefined);
  const nextAt = Array.from({ length: nClients }, () => sim.now + r() * 5);
  let serial = 0;
  const t0 = sim.now;
  let nextFault = t0 + 100 + r() * 300;
  const ids = new Map<string, number | undefined>();
  const down = new Set<string>();
  const paused = new Set<string>();
  /** Restarts and resumes waiting for their time. */
  const pendingFaults: { at: number; run: () => void }[] = [];
  const stepMs = 0.25;
  const upAndRunning = (a: string): boolean => sim.nodes.get(a)!.machine?.phase === 'running';
  while (sim.now < t0 + runMs) {
    if (faults && sim.now >= nextFault) {
      nextFault = sim.now + 100 + r() * 400;
      const x = r();
      const a = everyone[Math.floor(r() * everyone.length)]!;
      // At most a minority of the voters is ever down or paused, so the cluster stays
      // available; learners come and go freely.
      const votersOut = [...down, ...paused].filter((y) => !isLearner(y)).length;
      const minority = isLearner(a) || votersOut < Math.floor((nNodes - 1) / 2);
      if (x < 0.25) {
        const cut = everyone.filter(() => r() < 0.35);
        sim.partition(cut.length > 0 && cut.length < everyone.length ? [cut, everyone.filter((y) => !cut.includes(y))] : undefined);
      } else if (x < 0.45) {
        sim.partition(undefined);
      } else if (x < 0.6 && minority && upAndRunning(a) && !isSwi(a)) {
        ids.set(a, sim.machine(a).node);
        down.add(a);
        const data = sim.crash(a);
        const back = sim.now + 20 + r() * 300;
        const restart = (): void => { sim.start(a, ids.get(a), data, as(a)); down.delete(a); };
        // Restarted later, with its durable ledger and its node id (kill -9 and restart).
        pendingFaults.push({ at: back, run: restart });
      } else if (x < 0.75 && minority && upAndRunning(a) && !paused.has(a)) {
        paused.add(a);
        sim.pause(a);
        pendingFaults.push({ at: sim.now + 20 + r() * 400, run: () => { paused.delete(a); sim.resume(a); } });
      }
    }
    for (let i = pendingFaults.length - 1; i >= 0; i--) {
      if (pendingFaults[i]!.at <= sim.now) { const f = pendingFaults.splice(i, 1)[0]!; f.run(); }
    }
    for (let c = 0; c < nClients; c++) {
      const cur = busy[c];
      if (cur) {
        if (cur.handle.done) { busy[c] = undefined; nextAt[c] = sim.now + r() * 3; }
        else if (sim.now - cur.handle.at > timeout) { cur.gaveUpAt = sim.now; busy[c] = undefined; nextAt[c] = sim.now + r() * 3; }
        continue;
      }
      if (sim.now < nextAt[c]!) continue;
      const a = addrs[Math.floor(r() * addrs.length)]!;
      if (!upAndRunning(a) && !paused.has(a)) { nextAt[c] = sim.now + 5; continue; }
      const key = keys[Math.floor(r() * keys.length)]!;
      const handle = r() < 0.5
        ? sim.call(a, { op: 'set', key, value: compound('v', int(c), int(serial++)) })
        : sim.call(a, { op: 'get', key, quorum: true });
      const op: ClientOp = { client: c, handle };
      ops.push(op);
      busy[c] = op;
    }
    sim.runFor(stepMs);
  }
  // Heal: end every fault, then let the cluster settle.
  for (const f of pendingFaults.splice(0)) f.run();
  sim.partition(undefined);
  for (const a of paused) sim.resume(a);
  sim.runFor(3000);
  const final = new Map<string, (string | undefined)[]>();
  for (const key of keys) {
    const seen: (string | undefined)[] = [];
    for (const a of addrs) {
      const handle = sim.call(a, { op: 'get', key, quorum: true });
      ops.push({ client: -1, handle });
      const r = sim.await(handle, 2000);
      seen.push(r?.ok && r.op === 'get' ? termKey(r.value) : undefined);
    }
    final.set(termKey(key), seen);
  }
  const learnerFinal = new Map<string, (string | undefined)[]>();
  for (const key of keys) {
    learnerFinal.set(termKey(key), learners.map((a) => {
      const v = sim.nodes.get(a)!.machine?.ledger.read(key);
      return v === undefined ? undefined : termKey(v.value);
    }));
  }
  return { seed, sim, ops, final, learners, learnerFinal };
}
