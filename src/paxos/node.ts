// The node runtime: binds the pure PaxosMachine to a udp_broadcast transport, a
// durable ledger, real timers and randomness, and offers the async API of
// library(paxos): set/get/onChange/quorumAsk/property/close.
//
// Wire: like SWI with `paxos_message_hook(P,-,udp(paxos,P))` and
// `paxos_message_hook(P,T,udp(paxos,P,T))`, broadcasts go out as send(paxos(X)) and
// requests as request(Id, paxos(X)) with the machine's per-round timeout.
import { networkInterfaces } from 'node:os';
import { atom, compound, int, str, variable } from '../term/build.js';
import { isGround } from '../term/walk.js';
import type { Term } from '../term/types.js';
import { resolve, unify } from '../term/unify.js';
import { readTerm } from '../text/read.js';
import { type Inbound, RawReply } from '../transport/listeners.js';
import { equalTerms } from '../term/equal.js';
import type { ReplyStream } from '../transport/requests.js';
import { addressText, type Address } from '../transport/address.js';
import { type Bitmap, type NodeId, bit, members } from './bits.js';
import { type Call, type CallResult, type Effect, type Input, PaxosMachine, type GetOutcome, NO_SUCH_KEY, type Role, type SetFailure, type SetOutcome, failure } from './machine.js';
import { writeTerm } from '../text/write.js';
import type { LedgerOp } from './ledger-view.js';
import { type PaxosMsg, decodePaxos, encodePaxos } from './messages.js';
import { OUR_POLICY, type Policy } from './policy.js';
import type { PaxosLedger, PaxosTransport } from './ports.js';
import { type Settings, makeSettings } from './settings.js';
import { TOMBSTONE, isTombstone } from './tombstone.js';
import { MAX_KEY_VALUE_BYTES, tooLargeText } from './size-limit.js';

/** A one-byte term, to measure what a message takes besides its key and value. */
const ONE_BYTE = atom('a');

export type TermInput = Term | string;

export interface PaxosNodeOptions {
  readonly transport: PaxosTransport;
  /**
   * Where accepted records are kept (durably, for a restart). Default: only in the
   * node's own memory (a ledger nobody else holds would be a copy for nothing).
   */
  readonly ledger?: PaxosLedger;
  /**
   * Keys whose records the node caches from `ledger` (default DEFAULT_CACHE_KEYS);
   * the rest are read from the ledger when needed. Bounds the node's memory.
   */
  readonly cacheKeys?: number;
  /** Rejoin with this node id (paxos_initialize([node(Id)])). */
  readonly node?: NodeId;
  /**
   * Run as a learner (docs/learners.md): receive every agreed value, serve local reads
   * and change events, never vote. promote() makes it a voting member.
   */
  readonly learner?: boolean;
  readonly settings?: Partial<Settings>;
  /** Default OUR_POLICY; SWI_POLICY reproduces paxos.pl 9.0.4 (for experiments only). */
  readonly policy?: Policy;
  /** Leave the cluster cleanly on SIGTERM/SIGINT, then exit (default false). */
  readonly handleSignals?: boolean;
  /** Replication progress (catch-up of joining nodes). */
  readonly onProgress?: (p: { replicated: number; pending: number }) => void;
  /** Compaction removed tombstones, or this node dropped its data to catch up under a newer cluster epoch. */
  readonly onCompaction?: (c: { event: 'compacted' | 'dropped'; count: number; floor: number; epoch: number }) => void;
  readonly rng?: () => number;
  /** Told how each set and get ended and how long it took (metrics). */
  readonly observer?: NodeObserver;
}

/**
 * How a call ended: 'ok', 'failed', 'closed', and for get 'not_found'. A string, not a
 * boolean, so that further outcomes (a set whose fate is unknown) fit in.
 */
export type CallOutcome = string;

export interface NodeObserver {
  call(op: 'set' | 'get', outcome: CallOutcome, ms: number): void;
}

/** What the node counted, for metrics: it reads the machine's own counters, never changes them. */
export interface NodeStats {
  /** Request rounds this node opened, by paxos message (prepare, accept, retrieve, ...). */
  readonly rounds: Readonly<Record<string, number>>;
  /** Every attempt of every set, membership sets included (the machine's stats.setAttempts). */
  readonly setAttempts: number;
  readonly livelocks: number;
  readonly duplicateIds: number;
  /** How set attempts ended (the machine's stats.attempts): chosen, rejected, undecided, prepareFailed. */
  readonly attempts: Readonly<Record<string, number>>;
  /** Keys in the ledger, the two membership keys included. */
  readonly ledgerKeys: number;
  /** Keys the replicator still has to push to a member that lacks them (its last report). */
  readonly replicationBacklog: number;
  /** Delete tombstones the last compaction pass saw (0 while compaction is off). */
  readonly tombstones: number;
  /** Tombstones this node's compaction ever removed (persisted). */
  readonly compacted: number;
}

/**
 * The node's own view for a load balancer: `ok` when it runs with an id, is in its
 * quorum, and a majority of the quorum is reachable: itself, and each member heard
 * from (any paxos message carrying its id) within `withinMs`.
 */
export interface NodeHealth {
  readonly ok: boolean;
  readonly phase: string;
  readonly node: NodeId | undefined;
  readonly quorum: number;
  readonly reachable: number;
  readonly needed: number;
  readonly withinMs: number;
}

export interface SetOptions { readonly retries?: number; readonly timeout?: number }
export interface GetOptions extends SetOptions {
  /** Ask a majority even when a local value exists (a read that is never behind an acknowledged set). */
  readonly quorum?: boolean;
}

/** ledger/4 of paxos.pl: a node's newest valid record of a key. */
export interface LedgerRecord { readonly gen: number; readonly value: Term; readonly holders: NodeId[] }
export interface AskOptions { readonly timeout?: number; readonly quorum?: Bitmap }

/** This host's IPv4 addresses, read once (interfaces rarely change under a running node). */
let localAddresses: Set<string> | undefined;
function localIPv4(): Set<string> {
  localAddresses ??= new Set(Object.values(networkInterfaces()).flatMap((l) => l ?? [])
    .filter((i) => i.family === 'IPv4').map((i) => i.address));
  return localAddresses;
}

export class PaxosError extends Error {
  override name = 'PaxosError';
}

/** Key and value would not fit one datagram (size-limit.ts): refused before any message. */
export class ValueTooLargeError extends PaxosError {
  override name = 'ValueTooLargeError';
  constructor(readonly bytes: number) {
    super(tooLargeText(bytes));
  }
}

/**
 * A set that was not acknowledged. `outcome` says what the caller may assume:
 * 'rejected': the value was not chosen and never will be (safe to retry or give up);
 * 'unknown': it may have been chosen, or may still be (a timeout, lost replies, the
 * node closed meanwhile): read the key to find out before writing again.
 */
export class SetError extends PaxosError {
  override name = 'SetError';
  constructor(readonly outcome: SetFailure, readonly reason: string, key: Term) {
    super(`${outcome === 'rejected' ? 'not chosen' : 'outcome unknown'}: ${reason} (key ${termText(key)})`);
  }
}

export type ChangeHandler = (key: Term, value: Term) => void;
export type AskHandler = (message: Term) => Term[] | Promise<Term[]>;
/** What the transport sends for a request: instances of it, or raw replies. */
type Reply = Term | RawReply;

// The machine answers its own requests and applies its own broadcasts; a copy sent
// to ourselves (when we are among the peers) would only be decoded and dropped.
const EXCEPT_SELF = { exceptSelf: true } as const;

/** The ask through which another node promotes or demotes this one: '$paxos_role'(Id, voter|learner, Result). */
const ROLE_ASK = '$paxos_role';
/** How long changeRole waits for the node's answer: a membership set, with its retries. */
const ROLE_TIMEOUT_S = 10;

function termText(t: Term): string {
  return writeTerm(t, { style: 'writeq' });
}

function toTerm(t: TermInput): Term {
  return typeof t === 'string' ? readTerm(t) : t;
}

export class PaxosNode {
  private readonly machine: PaxosMachine;
  private readonly pendingCalls = new Map<number, { op: Call['op']; done: (r: CallResult) => void }>();
  private readonly pendingReplies = new Map<number, { replies: Reply[]; done: (t: Reply[]) => void }>();
  private readonly changeHandlers = new Set<{ key: Term; value: Term; handler: ChangeHandler }>();
  private readonly askHandlers = new Set<{ pattern: Term; handler: AskHandler }>();
  /** The machine's pending timers by id. */
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** Reply streams of the machine's open rounds, by request id. */
  private readonly streams = new Map<number, ReplyStream>();
  /** Rounds that ended before their request left (it waited for the ledger). */
  private readonly endedEarly = new Set<number>();
  private nextCid = 1;
  private nextHandle = 1;
  private ledgerChain: Promise<void> = Promise.resolve();
  /** Ledger writes queued or being synced. */
  private unsynced = 0;
  private unlisten: (() => void) | undefined;
  private closed = false;
  private signalHandler: (() => void) | undefined;
  private currentHandle: number | undefined;
  private readonly askHandles = new Map<number, number>();
  private readonly sending = new Set<Promise<void>>();
  private readonly rounds: Record<string, number> = {};
  private replicationBacklog = 0;
  /** When each node id was last heard from (a paxos message carrying it). */
  private readonly lastHeard = new Map<NodeId, number>();
  /** Bytes of an accept request around a one-byte key and value, less those two bytes (keyValueBytes). */
  private acceptOverhead: number | undefined;

  private constructor(private readonly o: PaxosNodeOptions, private readonly ledger: PaxosLedger | undefined) {
    this.machine = new PaxosMachine({
      addr: `self:${o.transport.ports.public}`,
      settings: makeSettings(o.settings),
      policy: o.policy ?? OUR_POLICY,
      rng: o.rng ?? Math.random,
      ...(ledger && { store: ledger }),
      ...(o.cacheKeys !== undefined && { cacheKeys: o.cacheKeys }),
      ...(o.learner && { learner: true }),
    });
    // An operator's promote or demote of this node, sent through another node (changeRole).
    this.onAsk(compound(ROLE_ASK, variable(), variable(), variable()), (m) => this.answerRole(m));
  }

  /** Start a node: load the ledger, listen, and join (paxos_initialize/1). */
  static async start(o: PaxosNodeOptions): Promise<PaxosNode> {
    // Nothing is loaded: the machine reads the ledger on demand, pending records too
    // (an accept this node acknowledged but that was not confirmed yet is a promise it
    // must keep after a restart: the record is read before the key's next answer).
    const node = new PaxosNode(o, o.ledger);
    node.unlisten = o.transport.listen(compound('paxos', variable()), (m) => node.inbound(m));
    const r = await node.call(o.node === undefined ? { op: 'join' } : { op: 'join', node: o.node });
    if (!r.ok) {
      await node.shutdown();
      throw new PaxosError(`paxos_initialize failed: ${r.reason}`);
    }
    if (o.handleSignals) {
      node.signalHandler = () => { void node.close().finally(() => process.exit(0)); };
      process.once('SIGTERM', node.signalHandler);
      process.once('SIGINT', node.signalHandler);
    }
    return node;
  }

  // ------------------------------------------------------------------ API

  /**
   * paxos_set/3: resolves true once a majority of the quorum accepted the value (it is
   * chosen); rejects with a SetError otherwise, whose `outcome` tells a value that was
   * not chosen from one whose fate is unknown. A set takes effect at most once.
   */
  async set(key: TermInput, value: TermInput, opts: SetOptions = {}): Promise<true> {
    const k = toTerm(key);
    const r = await this.trySet(k, value, opts);
    if (!r.ok) throw new SetError(r.outcome, r.reason, k);
    return true;
  }

  /** As set(), but resolves with the outcome instead of rejecting: `{ ok: true, gen }` or `{ ok: false, outcome, reason }`. */
  async trySet(key: TermInput, value: TermInput, opts: SetOptions = {}): Promise<SetOutcome> {
    const k = toTerm(key);
    const v = toTerm(value);
    // As paxos_set/3's must_be(ground, Key-Value): a variable cannot be agreed on.
    if (!isGround(k) || !isGround(v)) throw new PaxosError('instantiation error: key and value must be ground');
    // Refused here, not by the transport, so a single node refuses what a cluster cannot send.
    const why = this.o.transport.refusal?.(k) ?? this.o.transport.refusal?.(v);
    if (why !== undefined) throw new PaxosError(why);
    const bytes = this.keyValueBytes(k, v);
    if (bytes > MAX_KEY_VALUE_BYTES) throw new ValueTooLargeError(bytes);
    const t0 = performance.now();
    const r = await this.call({ op: 'set', key: k, value: v, ...opts });
    this.o.observer?.call('set', outcomeOf(r), performance.now() - t0);
    if (r.ok) return { ok: true, gen: r.op === 'set' ? r.gen : 0 };
    return { ok: false, reason: r.reason, outcome: r.op === 'set' ? r.outcome : 'rejected' };
  }

  /**
   * Delete key: agree on the tombstone through paxos, as set() does, with the same
   * outcomes (resolves true once chosen; rejects with a SetError). Afterwards get()
   * answers the key as absent; a later set() gives it a value again.
   */
  async delete(key: TermInput, opts: SetOptions = {}): Promise<true> {
    return this.set(key, TOMBSTONE, opts);
  }

  /** What key and value take in the largest message carrying them (accept/5; prepare carries no more), by the scope's codec. */
  private keyValueBytes(key: Term, value: Term): number {
    const t = this.o.transport;
    if (t.requestBytes === undefined) return 0;
    const accept = (k: Term, v: Term): Term => encodePaxos({ t: 'accept', key: k, node: 0, gen: 0, genA: 0, value: v });
    // The message without its key and value is the same for every set: measured once.
    this.acceptOverhead ??= t.requestBytes(accept(ONE_BYTE, ONE_BYTE)) - 2;
    return t.requestBytes(accept(key, value)) - this.acceptOverhead;
  }

  /** As delete(), resolving with the outcome, as trySet(). */
  async tryDelete(key: TermInput, opts: SetOptions = {}): Promise<SetOutcome> {
    return this.trySet(key, TOMBSTONE, opts);
  }

  /**
   * Remove a member that is gone for good (a lost machine) from the quorum, so that
   * majorities are counted without it. Our nodes never do this on their own (a member
   * that is only cut off or slow stays a member); a running node that is removed
   * adds itself again.
   */
  async removeMember(node: NodeId): Promise<void> {
    const r = await this.call({ op: 'remove', node });
    if (!r.ok) throw new PaxosError(`cannot remove node ${node}: ${r.reason}`);
  }

  /**
   * This learner becomes a voting member: it joins the quorum by the quorum key's set
   * and votes once that set is chosen. Rejects with a PaxosError when it cannot.
   */
  async promote(): Promise<void> {
    const r = await this.call({ op: 'promote' });
    if (!r.ok) throw new PaxosError(`cannot promote node ${String(this.machine.node)}: ${r.reason}`);
  }

  /** This member stops voting, leaves the quorum, and goes on as a learner. */
  async demote(): Promise<void> {
    const r = await this.call({ op: 'demote' });
    if (!r.ok) throw new PaxosError(`cannot demote node ${String(this.machine.node)}: ${r.reason}`);
  }

  /**
   * Promote (to 'voter') or demote (to 'learner') node `node`, this one or another:
   * another node is asked through paxos_quorum_ask (an `ask` of
   * `'$paxos_role'(Node, Role, Result)`), and changes its own role as promote() and
   * demote() do, since only it can stop or start its own voting in the safe order.
   */
  async changeRole(node: NodeId, role: Role, timeoutS = ROLE_TIMEOUT_S): Promise<void> {
    if (node === this.machine.node) return role === 'voter' ? this.promote() : this.demote();
    const result = variable();
    const msg = compound(ROLE_ASK, int(node), atom(role), result);
    const replies = await this.quorumAsk(result, msg, { quorum: bit(node), timeout: timeoutS });
    const r = replies[0];
    if (r === undefined) throw new PaxosError(`node ${node} did not answer within ${timeoutS} s (is it running? a change may still be under way)`);
    if (r.kind === 'atom' && r.name === 'ok') return;
    const why = r.kind === 'compound' && r.name === 'error' && r.args[0]!.kind === 'string' ? r.args[0]!.value : writeTerm(r, { style: 'writeq' });
    throw new PaxosError(why);
  }

  private async answerRole(m: Term): Promise<Term[]> {
    if (m.kind !== 'compound') return [];
    const [id, role] = m.args as [Term, Term];
    if (id.kind !== 'int' || Number(id.value) !== this.machine.node) return [];
    if (role.kind !== 'atom' || (role.name !== 'voter' && role.name !== 'learner')) return [];
    try {
      if (role.name === 'voter') await this.promote();
      else await this.demote();
      return [compound(ROLE_ASK, id, role, atom('ok'))];
    } catch (e) {
      return [compound(ROLE_ASK, id, role, compound('error', str((e as Error).message)))];
    }
  }

  /** paxos_get/3: the value, or undefined when there is none or no majority agrees (tryGet tells the two apart). */
  async get(key: TermInput, opts: GetOptions = {}): Promise<Term | undefined> {
    const r = await this.tryGet(key, opts);
    return r.ok ? r.value : undefined;
  }

  /**
   * As get(), with the outcome: `{ ok: true, value, gen }`; or `{ ok: false, outcome }`,
   * 'absent' when a majority holds no record of the key, 'unavailable' when no majority
   * agreed (a partition, lost replies, writes in flight).
   */
  async tryGet(key: TermInput, opts: GetOptions = {}): Promise<GetOutcome> {
    const t0 = performance.now();
    const r = await this.call({ op: 'get', key: toTerm(key), ...opts });
    this.o.observer?.call('get', outcomeOf(r), performance.now() - t0);
    // A deleted key reads as absent: the tombstone is a value only on the wire.
    if (r.ok && r.op === 'get' && isTombstone(r.value)) return { ok: false, outcome: 'absent', reason: NO_SUCH_KEY };
    if (r.ok) return { ok: true, value: r.op === 'get' ? r.value : variable(), gen: r.op === 'get' ? r.gen : undefined };
    return { ok: false, outcome: r.reason === NO_SUCH_KEY ? 'absent' : 'unavailable', reason: r.reason };
  }

  /** paxos_on_change/3: handler runs (asynchronously) for each agreed change whose key and value unify with the patterns. */
  onChange(key: TermInput, value: TermInput, handler: ChangeHandler): () => void {
    const e = { key: toTerm(key), value: toTerm(value), handler };
    this.changeHandlers.add(e);
    return () => { this.changeHandlers.delete(e); };
  }

  /** Answer paxos_quorum_ask/4 messages that unify with `pattern` (SWI: a listen/3 on the message). */
  onAsk(pattern: TermInput, handler: AskHandler): () => void {
    const e = { pattern: toTerm(pattern), handler };
    this.askHandlers.add(e);
    return () => { this.askHandlers.delete(e); };
  }

  /** paxos_quorum_ask/4: copies of `template` for each reply to `message` from the quorum. */
  async quorumAsk(template: TermInput, message: TermInput, opts: AskOptions = {}): Promise<Term[]> {
    const tpl = toTerm(template);
    const msg = toTerm(message);
    const r = await this.call({ op: 'ask', message: msg, ...opts });
    if (!r.ok || r.op !== 'ask') return [];
    const out: Term[] = [];
    for (const rep of r.replies) {
      const b = unify(msg, rep.message);
      if (b) out.push(resolve(tpl, b));
    }
    return out;
  }

  /** This node's newest valid record of `key` (paxos.pl's ledger/4), without asking anyone. */
  ledgerRecord(key: TermInput): LedgerRecord | undefined {
    const e = this.machine.ledger.read(toTerm(key));
    return e && { gen: e.gen, value: e.value, holders: members(e.holders) };
  }

  /** paxos_property/1. */
  property(): { node: NodeId | undefined; quorum: NodeId[]; failed: NodeId[]; dead: NodeId[]; phase: string; role: Role; learners: NodeId[] } {
    const p = this.machine.property();
    return {
      node: p.node, quorum: members(p.quorum), failed: members(p.failed), dead: members(p.dead), phase: p.phase,
      role: p.role, learners: members(p.learners),
    };
  }

  stats(): NodeStats {
    const m = this.machine.stats;
    const c = this.machine.compaction();
    return {
      rounds: this.rounds, setAttempts: m.setAttempts, livelocks: m.livelocks, duplicateIds: m.duplicateIds, attempts: { ...m.attempts },
      ledgerKeys: this.machine.ledger.size, replicationBacklog: this.replicationBacklog,
      tombstones: c.tombstones, compacted: c.compacted,
    };
  }

  /** See NodeHealth; `withinMs` defaults to three membership intervals (the node asks every member once per interval). */
  health(withinMs = 3000 * this.machine.settings.membership_interval): NodeHealth {
    const p = this.machine.property();
    const quorum = members(p.quorum);
    const since = Date.now() - withinMs;
    let reachable = 0;
    for (const n of quorum) if ((n === p.node && p.role === 'voter') || (this.lastHeard.get(n) ?? -Infinity) >= since) reachable++;
    const needed = Math.floor(quorum.length / 2) + 1;
    // A learner is healthy when it can follow: running, and a majority of the quorum reachable.
    const placed = p.role === 'learner' || (p.node !== undefined && quorum.includes(p.node));
    const ok = !this.closed && p.phase === 'running' && p.node !== undefined && placed && reachable >= needed;
    return { ok, phase: this.closed ? 'closed' : p.phase, node: p.node, quorum: quorum.length, reachable, needed, withinMs };
  }

  private heard(msg: PaxosMsg): void {
    if ('node' in msg && typeof msg.node === 'number') this.lastHeard.set(msg.node, Date.now());
  }

  /** Leave the cluster (paxos_leave/0), then release the transport and the ledger. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.call({ op: 'leave' });
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.signalHandler) {
      process.off('SIGTERM', this.signalHandler);
      process.off('SIGINT', this.signalHandler);
    }
    this.unlisten?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const st of this.streams.values()) st.close();
    this.streams.clear();
    await this.ledgerChain;
    await Promise.all(this.sending);
    await this.o.transport.close();
    await this.ledger?.close();
    // A set still in flight may have sent its accept: its outcome is unknown.
    for (const p of this.pendingCalls.values()) p.done(failure(p.op, 'closed', 'unknown'));
  }

  // ------------------------------------------------------------- plumbing

  private call(call: Call): Promise<CallResult> {
    if (this.closed) return Promise.resolve(failure(call.op, 'closed'));
    const cid = this.nextCid++;
    return new Promise((res) => {
      this.pendingCalls.set(cid, { op: call.op, done: res });
      this.step({ kind: 'call', cid, call });
    });
  }

  // Our own datagrams come back in unicast (we list ourselves as a peer) and in
  // broadcast/multicast (from our private port, on one of our interfaces).
  private isSelf(from: Address): boolean {
    const { public: pub, private: priv } = this.o.transport.ports;
    if (from.port !== pub && from.port !== priv) return false;
    return from.ip[0] === 127 || from.ip.every((x) => x === 0) || localIPv4().has(from.ip.join('.'));
  }

  private inbound(m: Inbound): Reply[] | Promise<Reply[]> | undefined {
    if (this.closed || this.isSelf(m.from)) return undefined;
    const msg = decodePaxos(m.term);
    if (!msg) return undefined;
    this.heard(msg);
    const from = addressText(m.from);
    if (m.kind === 'send') {
      this.step({ kind: 'send', from, msg });
      return undefined;
    }
    const handle = this.nextHandle++;
    if (msg.t === 'ask') {
      // The ask handlers answer later (answerAsk resolves this).
      return new Promise<Reply[]>((done) => {
        this.pendingReplies.set(handle, { replies: [], done });
        this.currentHandle = handle;
        this.step({ kind: 'request', from, handle, msg });
        this.currentHandle = undefined;
      });
    }
    const p = { replies: [] as Reply[], done: () => {} };
    this.pendingReplies.set(handle, p);
    const durable = this.step({ kind: 'request', from, handle, msg });
    this.pendingReplies.delete(handle);
    // An acceptor acknowledges only what its ledger holds durably (write-ahead):
    // the reply to an accept leaves once that accept is synced. Nothing to wait
    // for: the replies go now, without a promise in between.
    if (durable === undefined) return p.replies;
    return durable.then((ok) => (ok ? p.replies : []));
  }

  /**
   * Feed the machine one input and carry out its effects. When the step changed the
   * ledger, everything that tells others about it (messages, results, events) waits
   * until the change is durable; the returned promise says when (false: it failed).
   */
  private step(input: Input): Promise<boolean> | undefined {
    if (this.closed && input.kind !== 'call') return undefined;
    const effects = this.machine.step(Date.now(), input);
    let durable: Promise<boolean> | undefined;
    for (const e of effects) if (e.kind === 'ledger') durable = this.persist(e.ops) ?? durable;
    // A step that changed nothing may still speak of a change not yet on disk (the
    // reply to a resent accept, a read of a record just accepted): it waits for it too.
    if (durable === undefined && this.unsynced > 0 && effects.some((e) => e.kind === 'reply' || e.kind === 'broadcast' || e.kind === 'request' || e.kind === 'result')) {
      durable = this.ledgerChain.then(() => true);
    }
    if (durable === undefined) {
      for (const e of effects) this.effect(e);
      return undefined;
    }
    const later: Effect[] = [];
    for (const e of effects) {
      if (e.kind === 'ledger') continue;
      if (e.kind === 'timer' || e.kind === 'cancelTimer' || e.kind === 'reply') this.effect(e);
      else later.push(e);
    }
    if (later.length > 0) {
      void durable.then((ok) => {
        for (const e of later) {
          // A change that is not on disk must not be announced; calls still get their result.
          if (!ok && (e.kind === 'broadcast' || e.kind === 'request')) continue;
          this.effect(e);
        }
      });
    }
    return durable;
  }

  private effect(e: Effect): void {
    switch (e.kind) {
      case 'broadcast': {
        // Tracked so close() lets the last broadcasts of a leave (changed, forget) go out.
        const p = this.o.transport.broadcast(encodePaxos(e.msg), EXCEPT_SELF).catch(() => {});
        this.sending.add(p);
        void p.finally(() => this.sending.delete(p));
        return;
      }
      case 'request':
        this.rounds[e.msg.t] = (this.rounds[e.msg.t] ?? 0) + 1;
        void this.request(e.rid, e.msg, e.timeoutMs);
        return;
      case 'requestDone': {
        const st = this.streams.get(e.rid);
        if (st) { this.streams.delete(e.rid); st.close(); } else this.endedEarly.add(e.rid);
        return;
      }
      case 'reply': {
        const p = this.pendingReplies.get(e.handle);
        // An absence is no instance of the request: it goes raw, and SWI requesters skip it.
        if (p) p.replies.push(e.msg.t === 'retrieve' && e.msg.absent ? new RawReply(encodePaxos(e.msg)) : encodePaxos(e.msg));
        return;
      }
      case 'timer': {
        const t = setTimeout(() => {
          // Run it after the next poll phase: when the loop was stalled (GC, a busy
          // core), the timer phase comes before the sockets are read, and a round
          // would time out while its replies sit unread in the socket buffer.
          setImmediate(() => {
            if (this.timers.get(e.id) !== t) return; // cancelled meanwhile
            this.timers.delete(e.id);
            this.step({ kind: 'timer', id: e.id });
          });
        }, Math.max(0, e.at - Date.now()));
        this.timers.set(e.id, t);
        return;
      }
      case 'cancelTimer': {
        const t = this.timers.get(e.id);
        if (t !== undefined) { clearTimeout(t); this.timers.delete(e.id); }
        return;
      }
      case 'ledger':
        this.persist(e.ops);
        return;
      case 'result': {
        const p = this.pendingCalls.get(e.cid);
        this.pendingCalls.delete(e.cid);
        p?.done(e.result);
        return;
      }
      case 'changed':
        for (const h of this.changeHandlers) {
          const b = unify(h.key, e.key);
          if (b && unify(h.value, e.value, b)) setImmediate(() => h.handler(e.key, e.value));
        }
        return;
      case 'ask':
        if (this.currentHandle !== undefined) this.askHandles.set(e.token, this.currentHandle);
        void this.answerAsk(e.token, e.message);
        return;
      case 'compaction':
        this.o.onCompaction?.({ event: e.event, count: e.count, floor: e.floor, epoch: e.epoch });
        return;
      case 'progress':
        this.replicationBacklog = e.pending;
        this.o.onProgress?.({ replicated: e.replicated, pending: e.pending });
        return;
      default:
        return;
    }
  }

  private async request(rid: number, msg: Parameters<typeof encodePaxos>[0], timeoutMs: number): Promise<void> {
    let stream: ReplyStream;
    try {
      // A read takes raw replies too: our members' "no record of this key" (RawReply).
      stream = this.o.transport.request(encodePaxos(msg), { timeoutMs: timeoutMs + 5, exceptSelf: true, raw: msg.t === 'retrieve' });
    } catch {
      return;
    }
    if (this.endedEarly.delete(rid) || this.closed) stream.close();
    else this.streams.set(rid, stream);
    try {
      for await (const r of stream) {
        if (this.closed) break;
        if (this.isSelf(r.from)) continue;
        const m = decodePaxos(r.term);
        // A raw reply counts only as what it is for: an absence of the very key asked for.
        if (m && !r.unifies && !(m.t === 'retrieve' && m.absent && msg.t === 'retrieve' && equalTerms(m.key, msg.key))) continue;
        if (m) {
          this.heard(m);
          this.step({ kind: 'reply', rid, from: addressText(r.from), msg: m });
        }
      }
    } finally {
      if (this.streams.get(rid) === stream) this.streams.delete(rid);
    }
  }

  private async answerAsk(token: number, message: Term): Promise<void> {
    const out: Term[] = [];
    for (const h of this.askHandlers) {
      const b = unify(h.pattern, message);
      if (!b) continue;
      try { out.push(...(await h.handler(resolve(message, b)))); } catch { /* a failing handler gives no answer */ }
    }
    this.step({ kind: 'answers', token, messages: out });
    // A remote ask's replies were collected by the machine's reply effects just now.
    const handle = this.askHandles.get(token);
    this.askHandles.delete(token);
    const p = handle === undefined ? undefined : this.pendingReplies.get(handle);
    if (handle !== undefined && p) { this.pendingReplies.delete(handle); p.done(p.replies); }
  }

  /**
   * Mirror the machine's ledger changes on the durable ledger, in order; resolves
   * true once durable. Undefined when they are applied already: an immediate
   * (in-memory) ledger has nothing to wait for, and queueing would only delay replies.
   */
  private persist(ops: readonly LedgerOp[]): Promise<boolean> | undefined {
    const l = this.ledger;
    if (l === undefined) return undefined; // the machine's view is the whole ledger
    const view = this.machine.ledger;
    if (l.immediate) {
      // Applied by the time the calls return; a store that refuses (closed) loses
      // nothing the view still holds.
      for (const op of ops) void applyOp(l, op).catch(() => {});
      view.durable(ops);
      return undefined;
    }
    // Group commit: the ops go to the store now, without waiting for earlier ones to
    // be durable. The store applies writes in call order and syncs what arrives
    // together once; a promise resolves only once its own write is durable (and so
    // every write issued before it). `unsynced` counts writes in flight, so a step
    // that speaks of one of them waits for ledgerChain (every write issued so far).
    this.unsynced++;
    const done = Promise.all(ops.map((op) => applyOp(l, op))).then(() => true, () => false)
      .finally(() => { this.unsynced--; });
    void done.then(() => view.durable(ops));
    this.ledgerChain = Promise.all([this.ledgerChain, done]).then(() => {});
    return done;
  }
}

/** A call's outcome label for metrics: ok, not_found (get), rejected or unknown (set), closed, failed. */
function outcomeOf(r: CallResult): CallOutcome {
  if (r.ok) return 'ok';
  if (r.op === 'set') return r.outcome;
  if (r.reason === 'closed') return 'closed';
  return r.op === 'get' && r.reason === NO_SUCH_KEY ? 'not_found' : 'failed';
}

function applyOp(l: PaxosLedger, op: LedgerOp): Promise<unknown> {
  return op.op === 'put' ? l.write(op.key, op.recs) : l.clearHolders(op.nodes);
}
