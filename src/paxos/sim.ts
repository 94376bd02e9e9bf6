// A seeded, single-process simulation of many paxos nodes: no sockets, no clocks.
// The network drops, duplicates, delays (and so reorders) messages, can be
// partitioned, and nodes can crash and restart (with or without their ledger).
// Every run is a pure function of its seed and script, so a failing seed replays.
import { termKey } from '../term/equal.js';
import type { Term } from '../term/types.js';
import type { Entry, ValidEntry } from '../store/ledger.js';
import type { NodeId } from './bits.js';
import { type Addr, type Call, type CallResult, type Effect, type Input, PaxosMachine, failure } from './machine.js';
import type { Gen, PaxosMsg } from './messages.js';
import type { Policy } from './policy.js';
import { type Settings, makeSettings } from './settings.js';
import { mulberry32 } from '../util/prng.js';

/** The simulator's seeded PRNG (mulberry32), so every run replays from its seed. */
export const prng = mulberry32;

export interface NetConfig {
  /** Probability a datagram is lost. */
  drop: number;
  /** Probability a datagram is delivered twice. */
  dup: number;
  /** One-way delay range, ms (uniform); a spread reorders datagrams. */
  delayMin: number;
  delayMax: number;
}

export const PERFECT_NET: NetConfig = { drop: 0, dup: 0, delayMin: 0.2, delayMax: 1 };

export interface SimOptions {
  seed: number;
  policy: Policy;
  settings?: Partial<Settings>;
  net?: Partial<NetConfig>;
}

export interface BootOptions {
  readonly learner?: boolean;
  readonly policy?: Policy;
}

export interface CallHandle {
  readonly addr: Addr;
  readonly call: Call;
  readonly at: number;
  done: boolean;
  result?: CallResult;
  doneAt?: number;
}

export interface Violation {
  readonly what: string;
  readonly key: string;
  readonly gen: Gen;
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

class Heap {
  private readonly a: Event[] = [];
  get size(): number { return this.a.length; }
  push(e: Event): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1; const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  peek(): Event | undefined { return this.a[0]; }
}
function less(x: Event, y: Event): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

export class SimNode {
  machine: PaxosMachine | undefined;
  /** Incarnation: events of a crashed machine are discarded. */
  epoch = 0;
  /** Stopped (SIGSTOP): inputs wait here, in arrival order, until resume(). */
  paused: (() => void)[] | undefined;
  readonly changes: { at: number; key: Term; value: Term }[] = [];
  readonly progress: { at: number; replicated: number; pending: number }[] = [];
  constructor(readonly addr: Addr) {}
  get up(): boolean { return this.machine !== undefined && this.machine.phase !== 'left'; }
}

export class Sim {
  now = 0;
  readonly rng: () => number;
  readonly net: NetConfig;
  readonly settings: Settings;
  readonly policy: Policy;
  readonly nodes = new Map<Addr, SimNode>();
  readonly violations: Violation[] = [];
  /** Every acknowledged set: (key, gen, value). */
  readonly acked: { key: Term; gen: Gen; value: Term }[] = [];
  /** Every call made, in call order (for history checkers). */
  readonly history: CallHandle[] = [];
  /** (key, gen) -> value of every record that ever became valid on any node. */
  private readonly validAt = new Map<string, string>();
  private readonly heap = new Heap();
  private seq = 0;
  private nextCid = 1;
  private nextHandle = 1;
  private readonly calls = new Map<string, CallHandle>();
  private readonly handles = new Map<number, { to: Addr; epoch: number; rid: number }>();
  private groups: Map<Addr, number> | undefined;
  /** Extra drop rule for scripted faults: return true to drop. */
  dropRule: ((from: Addr, to: Addr, msg: PaxosMsg, kind: 'send' | 'request' | 'reply') => boolean) | undefined;
  /** Sees every datagram a node sends, before faults apply (for checkers). */
  onTransmit: ((from: Addr, to: Addr, msg: PaxosMsg, kind: 'send' | 'request' | 'reply') => void) | undefined;
  messages = 0;

  constructor(readonly opts: SimOptions) {
    this.rng = prng(opts.seed);
    this.net = { ...PERFECT_NET, ...opts.net };
    this.settings = makeSettings(opts.settings);
    this.policy = opts.policy;
  }

  private schedule(at: number, run: () => void): void {
    this.heap.push({ at, seq: this.seq++, run });
  }

  /**
   * Create a node (not yet joined) at address `addr`, optionally with a ledger. `as`:
   * run it as a learner, or under another policy than the sim's (a mixed cluster).
   */
  boot(addr: Addr, ledger?: Iterable<Entry>, as: BootOptions = {}): SimNode {
    const n = this.nodes.get(addr) ?? new SimNode(addr);
    this.nodes.set(addr, n);
    n.epoch++;
    const seed = Math.floor(this.rng() * 2 ** 32);
    n.machine = new PaxosMachine({
      addr, settings: this.settings, policy: as.policy ?? this.policy, rng: prng(seed), ...(ledger && { ledger }),
      ...(as.learner && { learner: true }),
    });
    n.machine.ledger.onValid = (e) => this.recordValid(e);
    return n;
  }

  /** Boot and join; returns the join call. */
  start(addr: Addr, node?: NodeId, ledger?: Iterable<Entry>, as: BootOptions = {}): CallHandle {
    this.boot(addr, ledger, as);
    return this.call(addr, node === undefined ? { op: 'join' } : { op: 'join', node });
  }

  /** Crash a node; returns its records (its durable ledger). */
  crash(addr: Addr): Entry[] {
    const n = this.nodes.get(addr)!;
    // What the runtime restores from the durable ledger: every record, pending ones too.
    const data = n.machine ? [...n.machine.ledger.records()] : [];
    n.machine = undefined;
    n.paused = undefined;
    n.epoch++;
    return data;
  }

  partition(groups: Addr[][] | undefined): void {
    if (!groups) { this.groups = undefined; return; }
    this.groups = new Map();
    groups.forEach((g, i) => g.forEach((a) => this.groups!.set(a, i)));
  }

  private reachable(a: Addr, b: Addr): boolean {
    if (!this.groups) return true;
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  call(addr: Addr, call: Call): CallHandle {
    const cid = this.nextCid++;
    const h: CallHandle = { addr, call, at: this.now, done: false };
    this.calls.set(`${addr}#${cid}`, h);
    this.history.push(h);
    this.input(addr, { kind: 'call', cid, call });
    return h;
  }

  /** Stop a node as SIGSTOP does: it neither runs timers nor reads datagrams, which queue up. */
  pause(addr: Addr): void {
    const n = this.nodes.get(addr)!;
    n.paused ??= [];
  }

  /** SIGCONT: the node takes every queued input, in order, now. */
  resume(addr: Addr): void {
    const n = this.nodes.get(addr)!;
    const q = n.paused;
    n.paused = undefined;
    for (const run of q ?? []) run();
  }

  private input(addr: Addr, input: Input): void {
    const n = this.nodes.get(addr);
    if (n?.paused && n.machine) {
      const epoch = n.epoch;
      n.paused.push(() => { if (n.epoch === epoch) this.input(addr, input); });
      return;
    }
    if (!n?.machine) {
      if (input.kind === 'call') this.finish(addr, input.cid, failure(input.call.op, 'crashed'));
      return;
    }
    const effects = n.machine.step(this.now, input);
    this.apply(n, effects);
  }

  private finish(addr: Addr, cid: number, result: CallResult): void {
    const h = this.calls.get(`${addr}#${cid}`);
    if (!h || h.done) return;
    h.done = true; h.result = result; h.doneAt = this.now;
    this.calls.delete(`${addr}#${cid}`);
    if (result.ok && result.op === 'set' && h.call.op === 'set') this.acked.push({ key: h.call.key, gen: result.gen, value: h.call.value });
  }

  private recordValid(e: ValidEntry): void {
    // Each node's own compaction record is local state, not an agreed value.
    if (e.key.kind === 'atom' && e.key.name === '$paxos_compacted') return;
    const k = `${termKey(e.key)}@${e.gen}`;
    const v = termKey(e.value);
    const had = this.validAt.get(k);
    if (had === undefined) this.validAt.set(k, v);
    else if (had !== v) this.violations.push({ what: 'two values at one generation', key: termKey(e.key), gen: e.gen });
  }

  private delay(): number {
    return this.net.delayMin + this.rng() * (this.net.delayMax - this.net.delayMin);
  }

  private transmit(from: Addr, to: Addr, kind: 'send' | 'request' | 'reply', msg: PaxosMsg, deliver: () => void): void {
    this.messages++;
    this.onTransmit?.(from, to, msg, kind);
    if (!this.reachable(from, to)) return;
    if (this.dropRule?.(from, to, msg, kind)) return;
    if (this.rng() < this.net.drop) return;
    const copies = this.rng() < this.net.dup ? 2 : 1;
    for (let i = 0; i < copies; i++) this.schedule(this.now + this.delay(), deliver);
  }

  private apply(n: SimNode, effects: readonly Effect[]): void {
    const epoch = n.epoch;
    const alive = (): boolean => n.epoch === epoch && n.machine !== undefined;
    for (const e of effects) {
      switch (e.kind) {
        case 'broadcast':
          for (const peer of this.nodes.values()) {
            if (peer === n) continue;
            this.transmit(n.addr, peer.addr, 'send', e.msg, () => this.input(peer.addr, { kind: 'send', from: n.addr, msg: e.msg }));
          }
          break;
        case 'request':
          for (const peer of this.nodes.values()) {
            if (peer === n) continue;
            const handle = this.nextHandle++;
            this.handles.set(handle, { to: n.addr, epoch, rid: e.rid });
            this.transmit(n.addr, peer.addr, 'request', e.msg, () => this.input(peer.addr, { kind: 'request', from: n.addr, handle, msg: e.msg }));
          }
          break;
        case 'reply': {
          const h = this.handles.get(e.handle);
          if (!h) break;
          const target = this.nodes.get(h.to)!;
          this.transmit(n.addr, h.to, 'reply', e.msg, () => {
            if (target.epoch === h.epoch) this.input(h.to, { kind: 'reply', rid: h.rid, from: n.addr, msg: e.msg });
          });
          break;
        }
        case 'timer':
          this.schedule(e.at, () => { if (alive()) this.input(n.addr, { kind: 'timer', id: e.id }); });
          break;
        case 'result':
          this.finish(n.addr, e.cid, e.result);
          break;
        case 'changed':
          n.changes.push({ at: this.now, key: e.key, value: e.value });
          break;
        case 'progress':
          n.progress.push({ at: this.now, replicated: e.replicated, pending: e.pending });
          break;
        case 'ask':
          this.schedule(this.now, () => { if (alive()) this.input(n.addr, { kind: 'answers', token: e.token, messages: [] }); });
          break;
        default:
          break;
      }
    }
  }

  /** Run events up to time `t` (ms). */
  runUntil(t: number): void {
    for (;;) {
      const e = this.heap.peek();
      if (!e || e.at > t) break;
      this.heap.pop();
      if (e.at > this.now) this.now = e.at;
      e.run();
    }
    if (t > this.now) this.now = t;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** Run until `pred` holds or `limitMs` of simulated time passed; returns pred(). */
  runWhile(pred: () => boolean, limitMs: number): boolean {
    const end = this.now + limitMs;
    while (!pred()) {
      const e = this.heap.peek();
      if (!e || e.at > end) { this.runUntil(end); return pred(); }
      this.heap.pop();
      if (e.at > this.now) this.now = e.at;
      e.run();
    }
    return true;
  }

  await(h: CallHandle, limitMs = 60_000): CallResult | undefined {
    this.runWhile(() => h.done, limitMs);
    return h.result;
  }

  machine(addr: Addr): PaxosMachine {
    const m = this.nodes.get(addr)?.machine;
    if (!m) throw new Error(`node ${addr} is down`);
    return m;
  }

  /** Safety: acknowledged sets agree with every valid record at their generation. */
  checkSafety(): Violation[] {
    const out = [...this.violations];
    for (const a of this.acked) {
      const k = `${termKey(a.key)}@${a.gen}`;
      const v = this.validAt.get(k);
      if (v !== undefined && v !== termKey(a.value)) out.push({ what: 'acknowledged value differs', key: termKey(a.key), gen: a.gen });
    }
    return out;
  }
}
