// Scripted simulations, one per paxos.pl 9.0.4 defect. Each returns what it measured;
// test/sim-defects.test.ts runs it under SWI_POLICY (a faithful copy of paxos.pl's
// rules) and OUR_POLICY, expecting the defect to show in the first and not the second.
import { atom, int } from '../term/build.js';
import { termKey } from '../term/equal.js';
import type { Term } from '../term/types.js';
import { has, members } from './bits.js';
import type { Policy } from './policy.js';
import { type CallHandle, type NetConfig, Sim } from './sim.js';

function cluster(policy: Policy, seed: number, names: string[], net?: Partial<NetConfig>, settings = {}): Sim {
  const sim = new Sim({ seed, policy, ...(net && { net }), settings });
  for (const n of names) {
    const j = sim.start(n);
    if (!sim.await(j, 10_000)?.ok) throw new Error(`join ${n} failed`);
    sim.runFor(50);
  }
  sim.runFor(200);
  return sim;
}

const K = atom('k');

/** Defect 1: after an accept round that reached a majority but failed, can the key still be written? */
export function unwritableAfterFailedAccept(policy: Policy, seed: number): { laterSetOk: boolean; furtherSetsOk: number } {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  if (!sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok) throw new Error('first set failed');
  sim.runFor(50);
  // Accepts reach everyone, but all accept replies are lost: the set fails with
  // accepted (pending) records on every node.
  sim.dropRule = (_f, _t, m, kind) => kind === 'reply' && m.t === 'accept';
  const failed = sim.await(sim.call('a', { op: 'set', key: K, value: int(2), retries: 0 }));
  if (failed?.ok) throw new Error('expected the set to fail');
  sim.dropRule = undefined;
  sim.runFor(100);
  const later = sim.await(sim.call('b', { op: 'set', key: K, value: int(3) }));
  let further = 0;
  for (let i = 0; i < 5; i++) if (sim.await(sim.call('c', { op: 'set', key: K, value: int(10 + i) }))?.ok) further++;
  return { laterSetOk: later?.ok === true, furtherSetsOk: further };
}

/** Defect 2: is a node declared dead after only two missed replies? */
export function deadAfterTwoMisses(policy: Policy, seed: number): { declaredDead: boolean; quorumLostMember: boolean } {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  const cId = sim.machine('c').node!;
  // c misses two rounds (its replies are lost), then is fine again.
  sim.dropRule = (from, _t, _m, kind) => from === 'c' && kind === 'reply';
  let declaredDead = false; let quorumLostMember = false;
  const a = sim.machine('a');
  const watch = (): boolean => {
    declaredDead ||= has(a.dead, cId);
    quorumLostMember ||= !has(a.quorum, cId);
    return false;
  };
  for (let i = 0; i < 2; i++) {
    const h = sim.call('a', { op: 'set', key: K, value: int(i) });
    sim.runWhile(() => watch() || h.done, 10_000);
  }
  sim.dropRule = undefined;
  sim.runWhile(watch, 200);
  return { declaredDead, quorumLostMember };
}

export interface GetOutcome {
  ok: boolean;
  unbound: boolean;
  value: Term | undefined;
  genBefore: number;
  genAfter: number;
}

/** Defect 3: reading a key missing locally, with one member's replies lost (or none lost). */
export function networkRead(policy: Policy, seed: number, loseOne: boolean): GetOutcome {
  const sim = cluster(policy, seed, ['a', 'b', 'c', 'd']);
  // d never sees the write (all datagrams to d lost while it happens).
  sim.dropRule = (_f, to) => to === 'd';
  if (!sim.await(sim.call('a', { op: 'set', key: K, value: int(42) }))?.ok) throw new Error('set failed');
  sim.runFor(30);
  sim.dropRule = loseOne ? (from, to, _m, kind) => from === 'c' && to === 'd' && kind === 'reply' : undefined;
  const genBefore = sim.machine('a').ledger.read(K)?.gen ?? -1;
  const r = sim.await(sim.call('d', { op: 'get', key: K }));
  sim.dropRule = undefined;
  sim.runFor(100);
  const genAfter = sim.machine('a').ledger.read(K)?.gen ?? -1;
  const value = r?.ok && r.op === 'get' ? r.value : undefined;
  return { ok: r?.ok === true, unbound: value?.kind === 'var', value, genBefore, genAfter };
}

/** Defect 4: does a node joining a cluster with data receive it, and how fast? */
export function catchUp(policy: Policy, seed: number, keys = 30): { held: number; ms: number; progressEvents: number } {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  for (let i = 0; i < keys; i++) sim.await(sim.call('a', { op: 'set', key: int(i), value: int(i * i) }));
  sim.runFor(100);
  const t0 = sim.now;
  sim.await(sim.start('d'));
  const d = sim.machine('d');
  const full = (): boolean => { let n = 0; for (const e of d.ledger.latest()) if (e.key.kind === 'int') n++; return n >= keys; };
  sim.runWhile(full, 2000);
  let held = 0;
  for (const e of d.ledger.latest()) if (e.key.kind === 'int') held++;
  let progress = 0;
  for (const n of sim.nodes.values()) progress += n.progress.length;
  return { held, ms: sim.now - t0, progressEvents: progress };
}

/** Defect 5: five nodes started at the same moment on a lossy network; duplicate ids after settling? */
export function simultaneousStart(policy: Policy, seed: number): { duplicate: boolean; ids: (number | undefined)[] } {
  const sim = new Sim({ seed, policy, net: { drop: 0.1, delayMin: 0.1, delayMax: 3 } });
  const names = ['a', 'b', 'c', 'd', 'e'];
  const js = names.map((n) => sim.start(n));
  sim.runWhile(() => js.every((j) => j.done), 30_000);
  sim.runFor(3000);
  const ids = names.map((n) => sim.machine(n).node);
  return { duplicate: new Set(ids).size !== ids.length || ids.includes(undefined), ids };
}

/** Defect 6: a partition with writes on the majority side, then healing. */
export function partitionHeals(policy: Policy, seed: number): { oneView: boolean; staleNodes: string[]; views: string[] } {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const sim = cluster(policy, seed, names, undefined, { membership_interval: 0.5 });
  const keys = [atom('x'), atom('y')];
  for (const k of keys) sim.await(sim.call('c', { op: 'set', key: k, value: int(0) }));
  sim.partition([['a', 'b'], ['c', 'd', 'e']]);
  const latest = new Map<string, Term>();
  for (let i = 1; i <= 8; i++) {
    for (const k of keys) {
      const r = sim.await(sim.call('c', { op: 'set', key: k, value: int(i) }));
      if (r?.ok) latest.set(termKey(k), int(i));
    }
    sim.runFor(200);
  }
  sim.partition(undefined);
  sim.runFor(5000);
  const views = names.map((n) => { const m = sim.machine(n); return `${m.quorum}/${m.dead}`; });
  const stale: string[] = [];
  for (const n of names) {
    const m = sim.machine(n);
    for (const k of keys) {
      const v = m.ledger.read(k);
      const want = latest.get(termKey(k));
      if (want && (!v || termKey(v.value) !== termKey(want))) stale.push(`${n}:${termKey(k)}`);
    }
  }
  return { oneView: new Set(views).size === 1, staleNodes: stale, views };
}

/** Defect 7: after a node leaves, is its id ever released for a new node? */
export function deadIdReleased(policy: Policy, seed: number): { newNodeId: number | undefined; leftId: number; deadAfter: number[] } {
  const sim = cluster(policy, seed, ['a', 'b', 'c', 'd'], undefined, { dead_release: 2, membership_interval: 0.3 });
  const leftId = sim.machine('d').node!;
  sim.await(sim.call('d', { op: 'leave' }));
  sim.crash('d');
  sim.runFor(5000);
  const j = sim.await(sim.start('e'));
  sim.runFor(200);
  return { newNodeId: j?.ok && j.op === 'join' ? j.node : undefined, leftId, deadAfter: members(sim.machine('a').dead) };
}

/** Defect 9: two writers on one key at once. */
export function contendingWriters(policy: Policy, seed: number, rounds = 20): { ok: number; total: number; writableAfter: boolean } {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  let ok = 0; let total = 0;
  for (let i = 0; i < rounds; i++) {
    const hs: CallHandle[] = [
      sim.call('a', { op: 'set', key: K, value: int(i) }),
      sim.call('b', { op: 'set', key: K, value: int(-i) }),
    ];
    sim.runWhile(() => hs.every((h) => h.done), 60_000);
    for (const h of hs) { total++; if (h.result?.ok) ok++; }
  }
  const after = sim.await(sim.call('c', { op: 'set', key: K, value: int(999) }));
  return { ok, total, writableAfter: after?.ok === true };
}

/** Defect 10: how long does joining a running, responsive cluster take (simulated ms)? */
export function joinTime(policy: Policy, seed: number): number {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  const j = sim.await(sim.start('d'));
  if (!j?.ok || j.op !== 'join') throw new Error('join failed');
  return j.ms;
}

export interface LostChangedOutcome {
  /** What b, which accepted k=2 but missed changed/4, answers from its own ledger. */
  bGet: Term | undefined;
  /** d's majority read while a's replies to it are lost (undefined: no answer). */
  dQuorumGet: Term | undefined;
  /** Nodes whose valid record of k is 2 after a few membership checks. */
  settledOn: string[];
}

/**
 * Weakness of reads: k=2 is acknowledged, but changed/4 is lost to b and c (which
 * accepted it) and d saw nothing of it. Nobody may answer the older k=1 any more.
 */
export function lostChanged(policy: Policy, seed: number): LostChangedOutcome {
  const sim = cluster(policy, seed, ['a', 'b', 'c', 'd'], undefined, { membership_interval: 0.3 });
  if (!sim.await(sim.call('a', { op: 'set', key: K, value: int(1) }))?.ok) throw new Error('first set failed');
  sim.runFor(50);
  sim.dropRule = (_f, to, m) => to === 'd' || (m.t === 'changed' && (to === 'b' || to === 'c'));
  if (!sim.await(sim.call('a', { op: 'set', key: K, value: int(2) }))?.ok) throw new Error('second set failed');
  // Ours answers at majority and sends changed/4 when the round ends (d silent: at its
  // timeout); keep the rule until then so that changed/4 is lost as well.
  if (policy.decideAtMajority) sim.runFor(50);
  // d hears nothing from a (neither replies nor a's repair pushes), so it cannot know 2 was chosen.
  sim.dropRule = (from, to) => from === 'a' && to === 'd';
  const d = sim.await(sim.call('d', { op: 'get', key: K, quorum: true, retries: 2 }));
  sim.dropRule = undefined;
  const b = sim.await(sim.call('b', { op: 'get', key: K }));
  sim.runFor(3000);
  const settledOn = ['a', 'b', 'c', 'd'].filter((n) => {
    const v = sim.machine(n).ledger.read(K);
    return v !== undefined && v.value.kind === 'int' && v.value.value === 2;
  });
  const val = (r: ReturnType<Sim['await']>): Term | undefined => (r?.ok && r.op === 'get' ? r.value : undefined);
  return { bGet: val(b), dQuorumGet: val(d), settledOn };
}

/** A client's call, for the history checkers (as fuzz.ts ClientOp). */
export interface ScriptedOp { readonly client: number; readonly handle: CallHandle }

/**
 * Issue 15, 2: a set whose accepts reach every member but whose accept replies are all
 * lost, then a quorum read. The value was chosen, so the set must not be reported as
 * definitely failed.
 */
export function lostAcceptReplies(policy: Policy, seed: number): ScriptedOp[] {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  const ops: ScriptedOp[] = [];
  const first = sim.call('a', { op: 'set', key: K, value: int(1) });
  ops.push({ client: 0, handle: first });
  sim.await(first);
  sim.runFor(50);
  sim.dropRule = (_f, _t, m, kind) => kind === 'reply' && m.t === 'accept';
  const lost = sim.call('a', { op: 'set', key: K, value: int(2), retries: 0 });
  ops.push({ client: 0, handle: lost });
  sim.await(lost);
  sim.dropRule = undefined;
  sim.runFor(100);
  const read = sim.call('b', { op: 'get', key: K, quorum: true });
  ops.push({ client: 1, handle: read });
  sim.await(read);
  return ops;
}

/**
 * Issue 15, 3: c is killed and restarted, with its ledger and node id, while cut off
 * from a and b; clients write through c and through a; the partition heals and every
 * node is read. A restarted member that founds a quorum of itself acknowledges writes
 * nobody else holds.
 */
export function restartedAlone(policy: Policy, seed: number): { ops: ScriptedOp[]; converged: boolean } {
  const sim = cluster(policy, seed, ['a', 'b', 'c']);
  const ops: ScriptedOp[] = [];
  const run = (client: number, addr: string, call: Parameters<Sim['call']>[1]): void => {
    const handle = sim.call(addr, call);
    ops.push({ client, handle });
    sim.await(handle);
  };
  run(0, 'a', { op: 'set', key: K, value: int(1) });
  sim.runFor(50);
  const id = sim.machine('c').node;
  const data = sim.crash('c');
  sim.partition([['a', 'b'], ['c']]);
  sim.runFor(100);
  if (!sim.await(sim.start('c', id, data), 5000)?.ok) throw new Error('c did not restart');
  sim.runFor(50);
  run(1, 'c', { op: 'set', key: K, value: int(2) });
  sim.runFor(20);
  run(0, 'a', { op: 'set', key: K, value: int(3) });
  sim.partition(undefined);
  sim.runFor(3000);
  const finals: string[] = [];
  for (const n of ['a', 'b', 'c']) {
    const handle = sim.call(n, { op: 'get', key: K, quorum: true });
    ops.push({ client: 2, handle });
    const r = sim.await(handle);
    finals.push(r?.ok && r.op === 'get' ? termKey(r.value) : 'none');
  }
  return { ops, converged: finals.every((f) => f === finals[0] && f !== 'none') };
}
