// The paxos.pl protocol as a deterministic state machine.
//
//   step(now, input) -> effects
//
// Inputs: a message from a peer (a `send` broadcast, a `request` to answer, or a
// `reply` to one of our requests), a timer that fired, an API call, or answers to an
// `ask`. Effects: messages to send, replies, timers to set, ledger operations to
// mirror on the durable store, API results, change events. Clock and randomness are
// injected (`now` per step, `rng` at construction); nothing here does I/O, so a run
// is a pure function of the inputs, which the simulator exploits.
//
// Long-running operations (paxos_set/3, paxos_get/3, joining, the replicator...) are
// written as generators that yield "waits" (collect replies to a request, sleep);
// the machine resumes them when the awaited inputs arrive. paxos.pl's control flow
// (between/3 retry loops, repeat) maps onto them nearly line by line.
//
// Own messages: paxos.pl in unicast mode also sends to itself and answers its own
// requests through UDP. The machine instead answers its own requests and applies its
// own broadcasts locally; the runtime drops datagrams that come from itself.
import { atom, int, variable } from '../term/build.js';
import { termKey } from '../term/equal.js';
import type { Term } from '../term/types.js';
import type { Entry, RecordStore, ValidEntry } from '../store/ledger.js';
import { type Bitmap, type NodeId, add, bit, del, fromIds, has, majority, members, popcount } from './bits.js';
import { LedgerView, type LedgerOp, keyText } from './ledger-view.js';
import type { Gen, PaxosMsg } from './messages.js';
import { type Policy, uniqueBallot } from './policy.js';
import type { Settings } from './settings.js';
import {
  COMPACTED_KEY, COMPACTION_KEY, type ClusterEpoch, type LocalCompaction, NO_COMPACTION, NO_EPOCH,
  cleanUnder, clusterEpochTerm, compactableGen, localTerm, parseClusterEpoch, parseLocal,
} from './compaction.js';
import { isTombstone } from './tombstone.js';

export type Addr = string;

export const QUORUM_KEY: Term = atom('$paxos_quorum');
export const DEAD_KEY: Term = atom('$paxos_dead_nodes');
/** Our third membership key: the learners (docs/learners.md). SWI nodes hold it as an ordinary key. */
export const LEARNERS_KEY: Term = atom('$paxos_learners');
const QUORUM_K = termKey(QUORUM_KEY);
const DEAD_K = termKey(DEAD_KEY);
const LEARNERS_K = termKey(LEARNERS_KEY);
const COMPACTION_K = termKey(COMPACTION_KEY);
const COMPACTED_K = termKey(COMPACTED_KEY);
/** A membership or compaction key (quorum, dead, learners, cluster epoch, local meta): not user data. */
export function isAdminKey(key: Term): boolean {
  const k = keyText(key);
  return k === QUORUM_K || k === DEAD_K || k === LEARNERS_K || k === COMPACTION_K || k === COMPACTED_K;
}
/** paxos.pl's paxos_admin_key/2: the learners key is not one of them. */
function isSwiAdminKey(key: Term): boolean {
  const k = keyText(key);
  return k === QUORUM_K || k === DEAD_K;
}

/** voter: a quorum member (votes, counts in majorities). learner: follows without voting. */
export type Role = 'voter' | 'learner';

export type Call =
  | { readonly op: 'join'; readonly node?: NodeId }
  | { readonly op: 'set'; readonly key: Term; readonly value: Term; readonly retries?: number; readonly timeout?: number }
  | { readonly op: 'get'; readonly key: Term; readonly retries?: number; readonly timeout?: number; readonly quorum?: boolean }
  | { readonly op: 'ask'; readonly message: Term; readonly timeout?: number; readonly quorum?: Bitmap }
  | { readonly op: 'leave' }
  /** Remove a member that is gone for good from the quorum (and mark its id dead). */
  | { readonly op: 'remove'; readonly node: NodeId }
  /** This learner joins the quorum (docs/learners.md). */
  | { readonly op: 'promote' }
  /** This member leaves the quorum and goes on as a learner. */
  | { readonly op: 'demote' };

/**
 * How a set that was not acknowledged ended. rejected: its value was not chosen and
 * never will be (safe to retry or to give up). unknown: it may have been chosen, or
 * may still be (an accept is out and no majority answered either way).
 */
export type SetFailure = 'rejected' | 'unknown';

export type SetOutcome = { readonly ok: true; readonly gen: Gen } | { readonly ok: false; readonly reason: string; readonly outcome: SetFailure };

/**
 * The failure of a call. `unknown` applies to a set in flight when it was cut short
 * (its node closed or crashed): its accept may be out.
 */
export function failure(op: Call['op'], reason: string, set: SetFailure = 'rejected'): CallResult {
  return op === 'set' ? { ok: false, op, reason, outcome: set } : { ok: false, op, reason };
}

/** How a get ended: a value; or absent (a majority holds no record of the key); or unavailable (no majority agreed). */
export type GetOutcome =
  | { readonly ok: true; readonly value: Term; readonly gen: Gen | undefined }
  | { readonly ok: false; readonly outcome: 'absent' | 'unavailable'; readonly reason: string };

/** The reason a get gives when a majority answered and none holds the key. */
export const NO_SUCH_KEY = 'no such key';

export type CallResult =
  | { readonly ok: true; readonly op: 'join'; readonly node: NodeId; readonly ms: number }
  | { readonly ok: true; readonly op: 'set'; readonly gen: Gen }
  | { readonly ok: false; readonly op: 'set'; readonly reason: string; readonly outcome: SetFailure }
  | { readonly ok: true; readonly op: 'get'; readonly value: Term; readonly gen: Gen | undefined; readonly source: 'local' | 'network' }
  | { readonly ok: true; readonly op: 'ask'; readonly replies: readonly { node: NodeId | undefined; message: Term }[] }
  | { readonly ok: true; readonly op: 'leave' }
  | { readonly ok: true; readonly op: 'remove' }
  | { readonly ok: true; readonly op: 'promote' | 'demote' }
  | { readonly ok: false; readonly op: Exclude<Call['op'], 'set'>; readonly reason: string };

export type Input =
  | { readonly kind: 'send'; readonly from: Addr; readonly msg: PaxosMsg }
  | { readonly kind: 'request'; readonly from: Addr; readonly handle: number; readonly msg: PaxosMsg }
  | { readonly kind: 'reply'; readonly rid: number; readonly from: Addr; readonly msg: PaxosMsg }
  | { readonly kind: 'timer'; readonly id: number }
  | { readonly kind: 'call'; readonly cid: number; readonly call: Call }
  | { readonly kind: 'answers'; readonly token: number; readonly messages: readonly Term[] };

export type Effect =
  | { readonly kind: 'broadcast'; readonly msg: PaxosMsg }
  | { readonly kind: 'request'; readonly rid: number; readonly msg: PaxosMsg; readonly timeoutMs: number }
  | { readonly kind: 'reply'; readonly handle: number; readonly msg: PaxosMsg }
  | { readonly kind: 'timer'; readonly id: number; readonly at: number }
  /** A timer that is no longer needed (its round ended early): the runtime may drop it. */
  | { readonly kind: 'cancelTimer'; readonly id: number }
  /** The round of request `rid` ended: later replies to it are ignored, the runtime may stop listening. */
  | { readonly kind: 'requestDone'; readonly rid: number }
  | { readonly kind: 'ledger'; readonly ops: readonly LedgerOp[] }
  | { readonly kind: 'result'; readonly cid: number; readonly result: CallResult }
  | { readonly kind: 'changed'; readonly key: Term; readonly value: Term }
  | { readonly kind: 'ask'; readonly token: number; readonly message: Term }
  | { readonly kind: 'progress'; readonly replicated: number; readonly pending: number }
  | { readonly kind: 'membership'; readonly node: NodeId | undefined; readonly quorum: Bitmap; readonly dead: Bitmap }
  | { readonly kind: 'left' }
  /** Compaction removed `count` tombstones; or (dropped) this node dropped its data to catch up under a newer cluster epoch. */
  | { readonly kind: 'compaction'; readonly event: 'compacted' | 'dropped'; readonly count: number; readonly floor: number; readonly epoch: number };

export interface Reply {
  readonly from: Addr;
  readonly msg: PaxosMsg;
}

interface CollectSpec {
  readonly msg: PaxosMsg;
  /** The round ends as soon as all of these node ids replied. */
  readonly quorum?: Bitmap;
  readonly timeoutMs: number;
  /** A reply that ends the round at once without being counted (SWI's Stop, e.g. a nack). */
  readonly stop?: (m: PaxosMsg) => boolean;
  /** Answer the request ourselves as well (SWI receives its own request via UDP). */
  readonly self: boolean;
  /** Keep duplicate replies from one node (SWI does); otherwise the first one counts. */
  readonly keepDuplicates?: boolean;
  /** End early once at least minMs passed and done(replies) holds. */
  readonly minMs?: number;
  readonly done?: (replies: readonly Reply[]) => boolean;
  /**
   * Resume the operation as soon as enough(replies) holds, yet keep the round open to
   * its normal end (all of quorum, stop, or timeout), when onEnd gets every reply.
   */
  readonly enough?: (replies: readonly Reply[]) => boolean;
  readonly onEnd?: (replies: readonly Reply[]) => void;
}

type Wait = { readonly w: 'collect'; readonly spec: CollectSpec } | { readonly w: 'sleep'; readonly ms: number };
type Op<R> = Generator<Wait, R, unknown>;

interface Collecting {
  readonly spec: CollectSpec;
  readonly replies: Reply[];
  replied: Bitmap;
  readonly start: number;
  readonly resume: (r: Reply[]) => void;
  closed: boolean;
  /** The operation went on already (CollectSpec.enough); the round's end goes to onEnd. */
  resumed: boolean;
  /** Timers of this round, cancelled when it ends. */
  readonly timers: number[];
}

function* collect(spec: CollectSpec): Op<Reply[]> {
  return (yield { w: 'collect', spec }) as Reply[];
}
function* sleep(ms: number): Op<void> {
  yield { w: 'sleep', ms };
}

/** An accept round's progress, for a set decided at majority (Policy.decideAtMajority). */
interface Round {
  decided?: boolean;
  /** Every reply, once the round ended (it may end before `end` is set). */
  all?: readonly Reply[];
  end?: (all: readonly Reply[]) => void;
}

function acceptedGen(r: Reply): Gen | 'nack' | undefined {
  return r.msg.t === 'accept' ? r.msg.genA : undefined;
}

/** The nodes whose accept reply took generation `gen`. */
function acceptedBy(rs: readonly Reply[], gen: Gen): Bitmap {
  let b = 0n;
  for (const r of rs) {
    const n = replyNode(r.msg);
    if (n !== undefined && acceptedGen(r) === gen) b = add(b, n);
  }
  return b;
}

/** The nodes whose every accept reply was a nack (a node that also accepted counts as accepted). */
function nackedBy(rs: readonly Reply[], gen: Gen): Bitmap {
  let b = 0n;
  for (const r of rs) {
    const n = replyNode(r.msg);
    if (n !== undefined && acceptedGen(r) === 'nack') b = add(b, n);
  }
  return b & ~acceptedBy(rs, gen);
}

/** Members needed for a majority of `quorum` (paxos.pl's (popcount+2)//2). */
function needed(quorum: Bitmap): number {
  return Math.floor((popcount(quorum) + 2) / 2);
}

/**
 * What an accept round says about its ballot (departure 13), counting members only:
 * chosen once a majority accepted; rejected once so many refused that no majority can
 * ever accept (an acceptor never takes a ballot below one it holds); else undecided.
 */
function acceptVerdict(rs: readonly Reply[], gen: Gen, quorum: Bitmap, trusted: Bitmap): 'chosen' | 'rejected' | undefined {
  const need = needed(quorum);
  if (popcount(acceptedBy(rs, gen) & quorum) >= need) return 'chosen';
  if (popcount(nackedBy(rs, gen) & quorum & trusted) > popcount(quorum) - need) return 'rejected';
  return undefined;
}

/**
 * Resends of an undecided accept round before its outcome is reported as unknown. Each
 * waits twice as long as the one before (2, 4, 8, 16 response timeouts): an unknown
 * outcome costs the caller far more than a slow one, and a durable acceptor under load
 * (a queue of syncs) answers later than response_timeout without having failed.
 */
const ACCEPT_RESENDS = 4;
/** The first accept round waits this many response timeouts (see ACCEPT_RESENDS). */
const ACCEPT_PATIENCE = 4;
/** A key nobody writes: asking for it tells our members (they answer "none") from SWI's (silent). */
const PROBE_KEY: Term = atom('$paxos_probe');
/** How long a member that did not answer the probe is taken for SWI's before it is asked again. */
const PROBE_AGAIN_MS = 10_000;

/** How many recent accepted ballots an acceptor remembers for resent accepts. */
const ACCEPTED_LATELY = 4096;
/** Keys whose last ballot of ours is remembered exactly (the prepare-skipping fast path needs it). */
const LAST_BALLOTS = 16384;
/** Tombstones tracked as compaction candidates at once; more wait for a later pass. */
const CANDIDATES = 100_000;
/** Keys a compaction pass looks at before it yields to other work. */
const PASS_CHUNK = 1000;
/** Tombstones removed by one compaction round at most. */
const ROUND_MAX = 10_000;
/** Reads running at once that check a record offered below the floor. */
const VERIFYING = 64;

/**
 * At most this many rounds may be open after their operation went on (decided at
 * majority). It bounds how far a proposer runs ahead of its slowest members: beyond
 * it, rounds wait for every member again (paxos.pl's pace), so a member that falls
 * behind gets a bounded backlog instead of one that grows until its replies miss the
 * timeout and it is scored failed, then dead (5 nodes, 8 concurrent set loops).
 */
const MAX_RESUMED_ROUNDS = 2;

/** The nodes that replied at all. */
function repliedBy(rs: readonly Reply[]): Bitmap {
  let b = 0n;
  for (const r of rs) { const n = replyNode(r.msg); if (n !== undefined) b = add(b, n); }
  return b;
}

function replyNode(m: PaxosMsg): NodeId | undefined {
  return 'node' in m && typeof m.node === 'number' ? m.node : undefined;
}

export interface MachineOptions {
  readonly addr: Addr;
  readonly settings: Settings;
  readonly policy: Policy;
  /** Uniform in [0,1); the only source of randomness. */
  readonly rng: () => number;
  /** Records loaded from durable storage: every record, pending ones too (the acceptor's promises). */
  readonly ledger?: Iterable<Entry>;
  /** Instead of `ledger`: read records on demand from this store (LedgerView), caching `cacheKeys` keys. */
  readonly store?: RecordStore;
  readonly cacheKeys?: number;
  /** Start as a learner: never vote, never join the quorum (needs Policy.learners). */
  readonly learner?: boolean;
}

export type Phase = 'idle' | 'joining' | 'running' | 'left';

export class PaxosMachine {
  readonly addr: Addr;
  readonly settings: Settings;
  readonly policy: Policy;
  readonly ledger: LedgerView;
  private readonly rng: () => number;

  now = 0;
  phase: Phase = 'idle';
  node: NodeId | undefined;
  quorum: Bitmap = 0n;
  dead: Bitmap = 0n;
  failed: Bitmap = 0n;
  role: Role;
  /** Our view of `'$paxos_learners'` (Policy.learners). */
  learners: Bitmap = 0n;
  /** Learners that did not answer a catch-up push: skipped until the next membership check. */
  private learnersAway: Bitmap = 0n;
  /** When each learner id entered our view (for the release of learners gone for good). */
  private readonly learnerSince = new Map<NodeId, number>();
  /** A promote or demote of this node is running: the membership reflexes wait for it. */
  private roleChange: 'promote' | 'demote' | undefined;
  /** At join, a running node outside the quorum answered: a learner (see knowsLearners). */
  private learnersSeen = false;
  /** The id was chosen freely at join (not a rejoin): holders naming it may be a former owner's. */
  private freshId = false;
  /** The node started with records (a restart): a learner refreshes them (docs/learners.md). */
  private readonly restored: boolean;
  private salt: bigint | undefined;
  private leaving = false;
  private readonly scores = new Map<NodeId, { last: number; score: number }>();
  private readonly deadSince = new Map<NodeId, number>();
  private readonly lastHeard = new Map<NodeId, number>();
  /** Members known to follow our rules (they answered "no record here"; SWI never does). */
  private ours: Bitmap = 0n;
  /** Members probed (PROBE_KEY) without an answer, and when, so SWI members are not probed at every read. */
  private probedSilent: Bitmap = 0n;
  private probedAt = -Infinity;
  /**
   * Our latest ballot per key, most recent last, bounded (LAST_BALLOTS): a key pushed
   * out leaves its ballot in `ballotFloor`, which every key without an entry stays
   * above. So ballots stay unique per proposer (never reused with another value) in
   * memory bounded by configuration, not by the number of keys ever set.
   */
  private readonly lastBallot = new Map<string, Gen>();
  private ballotFloor = 0;
  /**
   * Ballots this acceptor accepted lately (key and gen to the value's termKey), bounded.
   * A resent accept whose record was since dropped for a newer confirmed one is still
   * answered "accepted": that vote was cast, and the proposer may need it to learn that
   * its value was chosen (at most once) instead of reporting an unknown outcome.
   */
  private readonly acceptedLately = new Map<string, string>();
  /**
   * Records a member refused to learn (it holds a newer one): not pushed again until
   * ours changes, which a quorum read started at the refusal brings about. Bounded.
   */
  private readonly refuted = new Map<string, Gen>();
  /** Compaction state persisted in '$paxos_compacted' (compaction.ts). */
  private local: LocalCompaction = NO_COMPACTION;
  /** Compaction candidates: tombstone keys seen eligible, at which generation, since when (ms). Bounded (CANDIDATES). */
  private readonly candidates = new Map<string, { key: Term; gen: Gen; since: number }>();
  private compactTimer = false;
  /** When our view of the quorum last changed (ms): compaction waits for a quorum stable for the grace period. */
  private quorumSince = 0;
  /** Keys whose offered record below the floor is being checked by a quorum read. */
  private readonly verifying = new Set<string>();
  /** A read of the chosen quorum runs because a newer epoch left us out (adoptEpoch). */
  private staleCheck = false;
  /** Tombstones seen by the last compaction pass. */
  private tombstonesSeen = 0;

  private out: Effect[] = [];
  private readonly runq: (() => void)[] = [];
  private nextId = 1;
  private readonly timers = new Map<number, () => void>();
  private readonly collecting = new Map<number, Collecting>();
  private readonly askTokens = new Map<number, { remote: number } | { rid: number }>();

  private replicatorRunning = false;
  private replicatorWake = false;
  private replicated = 0;
  /** Open rounds whose operation went on already (CollectSpec.enough). */
  private resumedRounds = 0;
  private membershipTimer = false;
  /** Counters for tests and property(): */
  readonly stats = {
    livelocks: 0, setAttempts: 0, networkWrites: 0, duplicateIds: 0,
    /** How set attempts ended: chosen; rejected by a majority; undecided (resent); no majority for prepare. */
    attempts: { chosen: 0, rejected: 0, undecided: 0, prepareFailed: 0 },
  };

  constructor(o: MachineOptions) {
    this.addr = o.addr;
    this.settings = o.settings;
    this.policy = o.policy;
    this.rng = o.rng;
    this.ledger = new LedgerView(o.policy.ledger, () => this.now, o.store, o.cacheKeys);
    for (const e of o.ledger ?? []) this.ledger.load(e);
    this.local = parseLocal(this.ledger.read(COMPACTED_KEY)?.value) ?? NO_COMPACTION;
    this.restored = this.ledger.size > 0;
    if (o.learner && !o.policy.learners) throw new RangeError(`policy ${o.policy.name} has no learners`);
    this.role = o.learner ? 'learner' : 'voter';
  }

  // ------------------------------------------------------------------ driver

  step(now: number, input: Input): Effect[] {
    if (now > this.now) this.now = now;
    this.out = [];
    this.handle(input);
    while (this.runq.length > 0) this.runq.shift()!();
    const ops = this.ledger.drain();
    if (ops.length > 0) this.out.push({ kind: 'ledger', ops });
    return this.out;
  }

  private emit(e: Effect): void {
    this.out.push(e);
  }

  private handle(input: Input): void {
    switch (input.kind) {
      case 'send': return this.onSend(input.msg);
      case 'request': return this.onRequest(input.handle, input.msg);
      case 'reply': return this.onReply(input.rid, input.from, input.msg);
      case 'timer': {
        const f = this.timers.get(input.id);
        if (f) { this.timers.delete(input.id); f(); }
        return;
      }
      case 'call': return this.onCall(input.cid, input.call);
      case 'answers': return this.onAnswers(input.token, input.messages);
    }
  }

  private setTimer(ms: number, f: () => void): number {
    const id = this.nextId++;
    this.timers.set(id, f);
    this.emit({ kind: 'timer', id, at: this.now + Math.max(0, ms) });
    return id;
  }

  /** Run an operation; `done` gets its result. */
  private spawn<R>(op: Op<R>, done: (r: R) => void = () => {}): void {
    const advance = (v: unknown): void => {
      let r: IteratorResult<Wait, R>;
      try {
        r = op.next(v);
      } catch (e) {
        throw e;
      }
      if (r.done) { done(r.value); return; }
      const w = r.value;
      if (w.w === 'sleep') this.setTimer(w.ms, () => this.runq.push(() => advance(undefined)));
      else this.startCollect(w.spec, (replies) => this.runq.push(() => advance(replies)));
    };
    this.runq.push(() => advance(undefined));
  }

  private startCollect(spec: CollectSpec, resume: (r: Reply[]) => void): void {
    const rid = this.nextId++;
    const c: Collecting = { spec, replies: [], replied: 0n, start: this.now, resume, closed: false, resumed: false, timers: [] };
    this.collecting.set(rid, c);
    this.emit({ kind: 'request', rid, msg: spec.msg, timeoutMs: spec.timeoutMs });
    c.timers.push(this.setTimer(spec.timeoutMs, () => this.closeCollect(rid)));
    if (spec.minMs !== undefined) c.timers.push(this.setTimer(spec.minMs, () => this.checkCollect(rid)));
    if (spec.self) {
      if (spec.msg.t === 'ask') {
        const token = this.nextId++;
        this.askTokens.set(token, { rid });
        this.emit({ kind: 'ask', token, message: spec.msg.message });
      } else {
        for (const m of this.answer(spec.msg)) this.addReply(rid, this.addr, m);
      }
    }
    this.checkCollect(rid);
  }

  private addReply(rid: number, from: Addr, msg: PaxosMsg): void {
    const c = this.collecting.get(rid);
    if (!c || c.closed || msg.t !== c.spec.msg.t) return;
    const n = replyNode(msg);
    if (n !== undefined) this.lastHeard.set(n, this.now);
    // Only our rules answer "no record here" (SWI stays silent): that node reports its
    // newest accepted record, so a quorum read may take its word (readTally).
    if (n !== undefined && msg.t === 'retrieve' && msg.absent) this.ours = add(this.ours, n);
    if (n !== undefined && n === this.node && from !== this.addr && this.policy.carefulJoin) this.duplicateId(from);
    if (c.spec.stop?.(msg)) { this.closeCollect(rid); return; }
    if (!c.spec.keepDuplicates) {
      if (n !== undefined ? has(c.replied, n) : c.replies.some((r) => r.from === from)) return;
    }
    c.replies.push({ from, msg });
    if (n !== undefined) c.replied = add(c.replied, n);
    this.checkCollect(rid);
  }

  private checkCollect(rid: number): void {
    const c = this.collecting.get(rid);
    if (!c || c.closed) return;
    const q = c.spec.quorum;
    if (q !== undefined && q !== 0n && (q & c.replied) === q) { this.closeCollect(rid); return; }
    if (c.spec.done && this.now - c.start >= (c.spec.minMs ?? 0) && c.spec.done(c.replies)) { this.closeCollect(rid); return; }
    if (!c.resumed && this.resumedRounds < MAX_RESUMED_ROUNDS && c.spec.enough?.(c.replies)) {
      c.resumed = true;
      this.resumedRounds++;
      c.resume([...c.replies]);
    }
  }

  private closeCollect(rid: number): void {
    const c = this.collecting.get(rid);
    if (!c || c.closed) return;
    c.closed = true;
    this.collecting.delete(rid);
    // A round that ends early leaves no timer behind (one per round would otherwise
    // fire for nothing), and the runtime stops listening for its replies.
    for (const id of c.timers) {
      if (this.timers.delete(id)) this.emit({ kind: 'cancelTimer', id });
    }
    this.emit({ kind: 'requestDone', rid });
    if (c.resumed) {
      this.resumedRounds--;
      c.spec.onEnd?.(c.replies);
    } else c.resume(c.replies);
  }

  /** End the rounds whose operation went on already, so what waits for their end (a changed/4) goes out now. */
  private endResumedRounds(): void {
    for (const [rid, c] of [...this.collecting]) if (c.resumed) this.closeCollect(rid);
  }

  private onReply(rid: number, from: Addr, msg: PaxosMsg): void {
    if (this.phase === 'left') return;
    this.addReply(rid, from, msg);
  }

  private onAnswers(token: number, messages: readonly Term[]): void {
    const t = this.askTokens.get(token);
    if (!t) return;
    this.askTokens.delete(token);
    for (const message of messages) {
      const m: PaxosMsg = { t: 'ask', ...(this.node !== undefined && { node: this.node }), message };
      if ('remote' in t) this.emit({ kind: 'reply', handle: t.remote, msg: m });
      else this.addReply(t.rid, this.addr, m);
    }
  }

  // ------------------------------------------------------------ inbound events

  private listening(): boolean {
    return this.phase === 'joining' || this.phase === 'running';
  }

  /** paxos_message/1 for requests: the replies this node gives. */
  private answer(msg: PaxosMsg): PaxosMsg[] {
    if (!this.listening()) return [];
    const me = this.node;
    // A learner never votes: paxos.pl's collect/7 counts every node that replies to
    // prepare, accept or retrieve (paxos_get counts retrieve replies as votes), so an
    // SWI proposer or reader would count any reply of ours. It answers learn, which
    // SWI only collects for holders, and only with a yes: a nack ends SWI's round.
    if (this.role === 'learner') {
      if (msg.t === 'prepare' || msg.t === 'accept' || msg.t === 'retrieve') return [];
      if (msg.t === 'learn') {
        if (me === undefined) return [];
        const f = this.belowFloor(msg.key, msg.gen, msg.value);
        if (f === 'refused' || (f === 'open' && !this.ledger.learn(msg.key, msg.gen, msg.value))) return [];
        return [{ ...msg, node: me, genA: msg.gen }];
      }
    }
    switch (msg.t) {
      case 'prepare':
        if (me === undefined) return [];
        // Above the floor: a compacted key left no record to report its tombstone's generation.
        return [{ ...msg, node: me, gen: Math.max(this.ledger.prepare(msg.key, msg.value), this.local.floor - 1) }];
      case 'accept': {
        if (me === undefined) return [];
        const lately = `${keyText(msg.key)}#${msg.gen}`;
        let ok = this.belowFloor(msg.key, msg.gen, msg.value) === 'open' && this.ledger.accept(msg.key, msg.gen, msg.value);
        if (this.policy.atMostOnce) {
          if (ok) {
            this.acceptedLately.delete(lately);
            this.acceptedLately.set(lately, termKey(msg.value));
            if (this.acceptedLately.size > ACCEPTED_LATELY) this.acceptedLately.delete(this.acceptedLately.keys().next().value!);
          } else {
            ok = this.acceptedLately.get(lately) === termKey(msg.value);
          }
        }
        return [{ ...msg, node: me, genA: ok ? msg.gen : 'nack' }];
      }
      case 'learn':
        if (me === undefined) return [];
      {
        const f = this.belowFloor(msg.key, msg.gen, msg.value);
        return [{ ...msg, node: me, genA: f === 'held' || (f === 'open' && this.ledger.learn(msg.key, msg.gen, msg.value)) ? msg.gen : 'nack' }];
      }
      case 'retrieve': {
        if (me === undefined) return [];
        // SWI answers with its newest valid record even when it accepted a newer write;
        // ours never offers a value older than one it knows was proposed and accepted
        // (guardStale): it reports that accepted record, and readers decide.
        const v = this.policy.guardStale ? this.newestAccepted(msg.key) : this.ledger.read(msg.key);
        if (v) return [{ ...msg, node: me, gen: v.gen, value: v.value }];
        // Ours says "none here" (SWI requesters skip it), so a reader can tell a key that
        // no majority holds from members that did not answer.
        if (this.policy.get === 'majority' && this.ledger.entries(msg.key).length === 0) return [{ t: 'retrieve', key: msg.key, node: me, absent: true }];
        return [];
      }
      case 'node':
        if (me !== undefined && this.phase === 'running') return [{ t: 'node', node: me, quorum: this.quorum, dead: this.dead }];
        if (this.salt !== undefined) return [{ t: 'node', node: 'self', quorum: 0n, dead: this.salt }];
        return [];
      case 'claim_node':
        return [{ t: 'claim_node', node: msg.node, ok: me !== msg.node }];
      default:
        return [];
    }
  }

  /** The newest record, valid or accepted (never a gen-0 placeholder). */
  private newestAccepted(key: Term): { gen: Gen; value: Term } | undefined {
    const n = this.ledger.newest(key);
    return n ?? this.ledger.read(key);
  }

  private onRequest(handle: number, msg: PaxosMsg): void {
    if (msg.t === 'ask') {
      if (this.node === undefined || !this.listening()) return;
      const token = this.nextId++;
      this.askTokens.set(token, { remote: handle });
      this.emit({ kind: 'ask', token, message: msg.message });
      return;
    }
    for (const r of this.answer(msg)) this.emit({ kind: 'reply', handle, msg: r });
  }

  /** paxos_message/1 for broadcasts. */
  private onSend(msg: PaxosMsg): void {
    if (!this.listening()) return;
    switch (msg.t) {
      case 'changed': if (this.belowFloor(msg.key, msg.gen, msg.value) !== 'open') return; return this.applyChanged(msg.key, msg.gen, msg.value, msg.acceptors);
      case 'learned': if (this.belowFloor(msg.key, msg.gen, msg.value) !== 'open') return; this.ledger.confirm(msg.key, msg.gen, msg.value, msg.acceptors); return;
      case 'forget':
        this.ledger.forget(msg.nodes);
        if (this.policy.catchUp) this.startReplicator();
        return;
      default: return;
    }
  }

  private applyChanged(key: Term, gen: Gen, value: Term, acceptors: Bitmap): void {
    const before = this.ledger.read(key);
    this.ledger.confirm(key, gen, value, acceptors);
    // SWI announces every changed/4 it receives; we only those not already superseded.
    if (this.policy.ledger === 'ours' && before !== undefined && before.gen > gen) return;
    this.emit({ kind: 'changed', key, value });
    if (this.node === undefined) return;
    const k = keyText(key);
    if (k === QUORUM_K && value.kind === 'int') this.updateQuorum(BigInt(value.value));
    else if (k === DEAD_K && value.kind === 'int') this.updateDead(BigInt(value.value));
    else if (k === LEARNERS_K && value.kind === 'int' && this.policy.learners) this.updateLearners(BigInt(value.value));
  }

  /** update_quorum/1. A learner mirrors it: it takes itself out where a voter puts itself in. */
  private updateQuorum(proposed: Bitmap): void {
    const me = this.node!;
    if (this.quorum === proposed) return;
    const settled = this.role === 'voter' ? has(proposed, me) : !has(proposed, me) || this.roleChange !== undefined;
    if (this.leaving || settled) {
      this.setQuorum(proposed);
      return;
    }
    // A learner in the quorum (a stale view, or a node restarted as a learner) is a
    // member that never votes: safe, but it weakens the quorum, so it leaves.
    if (this.role === 'voter' && this.compacting()) {
      // Removed while away: check the compaction epoch before voting again.
      this.setQuorum(proposed);
      this.spawn(this.readdSelfOp());
      return;
    }
    const q = this.role === 'voter' ? add(proposed, me) : del(proposed, me);
    if (q === 0n) { this.setQuorum(proposed); return; } // never empty the quorum
    this.setQuorum(q);
    this.spawn(this.setOp(QUORUM_KEY, int(q), {}));
  }

  /** A voter out of the quorum puts itself back, once the compaction epoch allows it to vote. */
  private *readdSelfOp(): Op<void> {
    const me = this.node;
    if (me === undefined || !(yield* this.epochCheckOp())) return;
    if (this.phase !== 'running' || this.node !== me || this.role !== 'voter' || this.leaving || has(this.quorum, me)) return;
    this.setQuorum(add(this.quorum, me));
    yield* this.setOp(QUORUM_KEY, int(this.quorum), {});
  }

  /** The learners key changed: a learner keeps itself in it, a voter keeps itself out. */
  private updateLearners(proposed: Bitmap): void {
    this.setLearners(proposed);
    if (this.leaving || this.roleChange !== undefined) return;
    this.assertLearnerEntry();
  }

  /** Put our own entry in `'$paxos_learners'` right: present for a learner, absent for a voter. */
  private assertLearnerEntry(): void {
    const me = this.node!;
    if (has(this.learners, me) === (this.role === 'learner')) return;
    const next = this.role === 'learner' ? add(this.learners, me) : del(this.learners, me);
    // A voter whose freely chosen id is still listed took a gone learner's id: holders
    // naming it are that learner's, so have them forgotten and get pushed everything.
    if (this.role === 'voter' && this.freshId) this.broadcast({ t: 'forget', nodes: bit(me) });
    this.setLearners(next);
    this.spawn(this.setOp(LEARNERS_KEY, int(next), {}));
  }

  private setLearners(l: Bitmap): void {
    if (l === this.learners) return;
    const grew = (l & ~this.learners) !== 0n;
    for (const n of members(l & ~this.learners)) this.learnerSince.set(n, this.now);
    for (const n of members(this.learners & ~l)) this.learnerSince.delete(n);
    this.learners = l;
    if (grew) this.startReplicator();
  }

  /** update_dead/1. */
  private updateDead(proposed: Bitmap): void {
    const me = this.node!;
    if (this.dead === proposed) return;
    if (this.leaving || !has(proposed, me)) {
      this.setDead(proposed);
      return;
    }
    const d = del(proposed, me);
    this.setDead(d);
    this.spawn(this.setOp(DEAD_KEY, int(d), {}));
  }

  private setQuorum(q: Bitmap): void {
    if (q === this.quorum) return;
    const grew = (q & ~this.quorum) !== 0n;
    // An id that left may come back as another node, SWI's perhaps: identify it again.
    this.ours &= q | this.learners;
    this.quorum = q;
    this.quorumSince = this.now;
    this.emit({ kind: 'membership', node: this.node, quorum: this.quorum, dead: this.dead });
    if (grew && this.policy.catchUp) this.startReplicator();
  }

  private setDead(d: Bitmap): void {
    if (d === this.dead) return;
    for (const n of members(d & ~this.dead)) this.deadSince.set(n, this.now);
    for (const n of members(this.dead & ~d)) this.deadSince.delete(n);
    this.dead = d;
    this.emit({ kind: 'membership', node: this.node, quorum: this.quorum, dead: this.dead });
  }

  // -------------------------------------------------------------------- calls

  private onCall(cid: number, call: Call): void {
    const done = (r: CallResult): void => this.emit({ kind: 'result', cid, result: r });
    // Refused before anything was sent: a set that never started was not chosen.
    const fail = (reason: string): void => done(failure(call.op, reason));
    const fail2 = (reason: string): CallResult => failure(call.op, reason);
    switch (call.op) {
      case 'join':
        if (this.phase !== 'idle') return fail(this.phase === 'left' ? 'left' : 'already_initialized');
        this.phase = 'joining';
        return this.spawn(this.joinOp(call.node), (r) => done(r));
      case 'set':
        if (this.phase !== 'running') return fail('not_running');
        return this.spawn(this.setOp(call.key, call.value, call), (r) =>
          done(r.ok ? { ok: true, op: 'set', gen: r.gen } : { ok: false, op: 'set', reason: r.reason, outcome: r.outcome }));
      case 'get':
        if (this.phase !== 'running') return fail('not_running');
        return this.spawn(this.getOp(call.key, call), done);
      case 'ask':
        if (this.phase !== 'running') return fail('not_running');
        return this.spawn(this.askOp(call), done);
      case 'leave':
        return this.spawn(this.leaveOp(), () => done({ ok: true, op: 'leave' }));
      case 'remove':
        if (this.phase !== 'running') return fail('not_running');
        if (call.node === this.node) return fail('a node leaves by itself (leave), it is not removed');
        if (!has(this.quorum, call.node)) return fail(`node ${call.node} is not a member`);
        return this.spawn(this.removeOp(call.node), (ok) => done(ok ? { ok: true, op: 'remove' } : fail2('no majority for the membership change')));
      case 'promote': case 'demote': {
        if (this.phase !== 'running') return fail('not_running');
        const op = call.op;
        if (this.roleChange !== undefined) return fail(`a ${this.roleChange} of this node is in progress`);
        if (op === 'promote' && this.role === 'voter') return fail('this node is a voting member already');
        if (op === 'demote' && this.role === 'learner') return fail('this node is a learner already');
        this.roleChange = op;
        return this.spawn(op === 'promote' ? this.promoteOp() : this.demoteOp(), (why) => {
          this.roleChange = undefined;
          done(why === undefined ? { ok: true, op } : fail2(why));
        });
      }
    }
  }

  // ---------------------------------------------------------------- node ids

  private *joinOp(fixed: NodeId | undefined): Op<CallResult> {
    const t0 = this.now;
    const careful = this.policy.carefulJoin;
    const s = this.settings;
    const tmo = (careful ? s.join_timeout : 0.25) * 1000;
    for (let retry = 1; retry <= 20; retry++) {
      this.dead = 0n; this.quorum = 0n; this.failed = 0n; this.scores.clear(); this.leaving = false;
      this.salt = this.randomSalt();
      const salt = this.salt;
      const replies = yield* collect({
        msg: { t: 'node' }, timeoutMs: tmo, self: false, keepDuplicates: !careful,
        ...(careful && { minMs: s.join_grace * 1000, done: (rs: readonly Reply[]) => knownAllAnswered(rs) }),
      });
      if (careful && !knownAllAnswered(replies) && replies.some((r) => r.msg.t === 'node' && typeof r.msg.node === 'number')) {
        // Some running member did not answer (a lost datagram?): ask once more, keep the union.
        const more = yield* collect({
          msg: { t: 'node' }, timeoutMs: tmo, self: false,
          minMs: s.join_grace * 1000, done: (rs: readonly Reply[]) => knownAllAnswered([...replies, ...rs]),
        });
        for (const r of more) if (!replies.some((x) => x.from === r.from)) replies.push(r);
      }
      // paxos.pl retracts the salt here, so a claiming node is invisible to node/3;
      // ours stays visible as `self` until it runs, so concurrent joiners count it.
      if (!careful) this.salt = undefined;
      const clusterSeen = careful && knownAllAnswered(replies);
      const starting = replies.filter((r) => r.msg.t === 'node' && r.msg.node === 'self');
      const running = replies.filter((r) => r.msg.t === 'node' && typeof r.msg.node === 'number');
      const salts = [...new Set([salt, ...starting.map((r) => (r.msg as { dead?: bigint }).dead ?? 0n)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const offset = salts.indexOf(salt) + 1;
      let quorum = 0n; let dead = 0n;
      const runningIds = new Set<NodeId>();
      for (const r of running) {
        const m = r.msg as { node: NodeId; quorum?: bigint; dead?: bigint };
        runningIds.add(m.node);
        quorum |= m.quorum ?? 0n; dead |= m.dead ?? 0n;
      }
      // Nobody running answered: a cut-off or restarted member, or the first node. The
      // quorum it last knew (every record of it, pending ones too) still stands; only
      // a node that never had one founds a cluster of itself.
      if (running.length === 0 && this.policy.durableQuorum) quorum = this.rememberedQuorum(fixed);
      let node: NodeId | undefined;
      let rejoin = false;
      if (fixed === undefined) {
        let seen = 0;
        for (let n = 0; n <= 1000; n++) {
          if (runningIds.has(n) || has(dead, n)) continue;
          // Ours: an id still in the quorum belongs to a member that may come back
          // (crashed, cut off); reusing it would mix two nodes' votes and holders.
          if (careful && has(quorum, n)) continue;
          if (++seen === offset) { node = n; break; }
        }
        if (node === undefined) { this.phase = 'idle'; return { ok: false, op: 'join', reason: 'resource_error(paxos_nodes)' }; }
      } else if (runningIds.has(fixed)) {
        this.phase = 'idle';
        return { ok: false, op: 'join', reason: `permission_error(set, paxos_node, ${fixed})` };
      } else {
        node = fixed;
        rejoin = true;
      }
      this.node = node;
      // claim_node/2: every other node must agree nobody has it.
      const known = new Set(replies.map((r) => r.from));
      let ok = true;
      // Ours claims twice (a lost "false" must be lost twice to go unnoticed) and ends a
      // claim round early only when a running cluster answered the node query in full;
      // otherwise unknown joiners may still object, so we wait the whole window.
      // A known node's answer may be lost: ask again (up to 5 rounds) until each answered.
      const answered = new Set<Addr>([this.addr]);
      for (let round = 0; ok && round < (careful ? 5 : 1); round++) {
        if (careful && round >= 2 && [...known].every((a) => answered.has(a))) break;
        const claims = yield* collect({
          msg: { t: 'claim_node', node }, timeoutMs: tmo, self: false, keepDuplicates: true,
          ...(clusterSeen && { minMs: s.join_grace * 1000, done: (rs: readonly Reply[]) => [...known].every((a) => answered.has(a) || rs.some((r) => r.from === a)) }),
        });
        for (const r of claims) answered.add(r.from);
        ok = claims.every((r) => r.from === this.addr || (r.msg.t === 'claim_node' && r.msg.ok === true));
      }
      if (careful && ![...known].every((a) => answered.has(a))) ok = false;
      if (!ok) {
        this.node = undefined;
        this.salt = undefined;
        if (careful) yield* sleep(this.rng() * 100);
        continue;
      }
      this.salt = undefined;
      this.setDead(dead);
      this.freshId = !rejoin;
      this.learnersSeen = [...runningIds].some((n) => !has(quorum, n));
      if (this.policy.learners) {
        const l = this.ledger.read(LEARNERS_KEY)?.value;
        this.setLearners(l?.kind === 'int' ? BigInt(l.value) : 0n);
      }
      if (this.role === 'learner') {
        // A learner follows a quorum, it never founds one.
        if ((quorum & ~bit(node)) === 0n) {
          this.node = undefined;
          this.phase = 'idle';
          return { ok: false, op: 'join', reason: 'a learner needs a voting member: none answered and none is remembered' };
        }
        this.setQuorum(quorum);
        this.phase = 'running';
        this.emit({ kind: 'membership', node, quorum: this.quorum, dead: this.dead });
        if (rejoin) yield* this.rejoinOp();
        // Restarted as a learner while still a member: step out (it is silent already).
        if (has(this.quorum, node)) yield* this.updateSetOp('quorum', node);
        yield* this.registerLearnerOp();
        if (this.restored) this.spawn(this.refreshOp());
        if (this.policy.membershipCheck) this.scheduleMembershipCheck();
        return { ok: true, op: 'join', node, ms: this.now - t0 };
      }
      if (this.compacting() && !has(quorum, node) && (quorum & ~bit(node)) !== 0n) {
        // Not a member yet: catch up under the cluster's compaction epoch before voting.
        this.setQuorum(quorum);
        this.phase = 'running';
        if (!(yield* this.epochCheckOp())) {
          this.node = undefined; this.phase = 'idle';
          return { ok: false, op: 'join', reason: 'no majority answered for the compaction epoch' };
        }
      }
      this.setQuorum(add(quorum, node));
      this.phase = 'running';
      this.emit({ kind: 'membership', node, quorum: this.quorum, dead: this.dead });
      yield* this.setOp(QUORUM_KEY, int(this.quorum), {});
      this.scheduleCompaction();
      if (rejoin) yield* this.rejoinOp();
      this.startReplicator();
      if (this.policy.membershipCheck) this.scheduleMembershipCheck();
      return { ok: true, op: 'join', node, ms: this.now - t0 };
    }
    this.phase = 'idle';
    return { ok: false, op: 'join', reason: 'no free node id after 20 attempts' };

    function knownAllAnswered(rs: readonly Reply[]): boolean {
      // Done once some running node answered and every live member of the union quorum did.
      let q = 0n; let d = 0n; let got = 0n;
      for (const r of rs) {
        if (r.msg.t !== 'node' || typeof r.msg.node !== 'number') continue;
        q |= r.msg.quorum ?? 0n; d |= r.msg.dead ?? 0n; got = add(got, r.msg.node);
      }
      const live = q & ~d;
      return live !== 0n && (live & got) === live;
    }
  }

  /**
   * The union of every `'$paxos_quorum'` value in our ledger, valid or pending, that
   * counts us (rejoining under `fixed`) as a member: a quorum we belonged to. Others'
   * proposals we accepted while joining for the first time are not ours to keep.
   */
  private rememberedQuorum(fixed: NodeId | undefined): Bitmap {
    // A learner never votes, so any quorum it saw is only whom to follow: it keeps them all.
    const learner = this.role === 'learner';
    if (fixed === undefined && !learner) return 0n;
    let q = 0n;
    for (const r of this.ledger.entries(QUORUM_KEY)) {
      if (r.gen > 0 && r.value.kind === 'int' && (learner || has(BigInt(r.value.value), fixed!))) q |= BigInt(r.value.value);
    }
    return q;
  }

  /**
   * Another address answers with our node id: two nodes share it. The one with the
   * greater address gives it up and joins again under a new id (ours only).
   */
  private duplicateId(other: Addr): void {
    if (this.phase !== 'running' || this.addr < other) return;
    this.stats.duplicateIds++;
    this.node = undefined;
    this.phase = 'joining';
    for (const g of this.lastBallot.values()) this.ballotFloor = Math.max(this.ballotFloor, g);
    this.lastBallot.clear();
    this.spawn(this.joinOp(undefined));
  }

  private randomSalt(): bigint {
    const hi = BigInt(Math.floor(this.rng() * 2 ** 31));
    const lo = BigInt(Math.floor(this.rng() * 2 ** 32));
    return (hi << 32n) | lo;
  }

  /** paxos_rejoin/0: remove ourselves from the dead set; ours also asks to be caught up. */
  private *rejoinOp(): Op<void> {
    const me = this.node!;
    const bounded = this.policy.boundedLeave;
    for (let i = 0; !bounded || i < this.settings.max_membership_sets; i++) {
      if (this.node !== me) return; // id given up meanwhile
      const r = yield* this.getOp(DEAD_KEY, {});
      if (!r.ok || r.op !== 'get' || r.value.kind !== 'int') break;
      const d0 = BigInt(r.value.value);
      const d = del(d0, me);
      if (d === d0) break;
      const s = yield* this.setOp(DEAD_KEY, int(d), {});
      if (s.ok) break;
      if (!bounded && i > 200) { this.stats.livelocks++; break; }
    }
    if (this.policy.catchUp && this.ledger.size === 0) {
      // Holders still name us from before; make the replicators push everything again.
      this.broadcast({ t: 'forget', nodes: bit(me) });
    }
  }

  // --------------------------------------------------------------- learners

  /**
   * A learner puts itself in `'$paxos_learners'`, so that our voters push it what it
   * lacks. Read at a majority first: the set is a read-modify-write, and a lost
   * update is repaired by the membership check (assertLearnerEntry).
   */
  private *registerLearnerOp(): Op<void> {
    const me = this.node!;
    const r = yield* this.getOp(LEARNERS_KEY, { quorum: true });
    let cur = this.learners;
    if (r.ok && r.op === 'get' && r.value.kind === 'int') cur = BigInt(r.value.value);
    else if (!r.ok && r.reason === 'no such key') cur = 0n;
    // Our freely chosen id is listed already: a former learner's, whose holders entries
    // would make the voters believe we hold what it held.
    if (this.freshId && has(cur, me)) this.broadcast({ t: 'forget', nodes: bit(me) });
    if (has(cur, me)) { this.setLearners(cur); return; }
    this.setLearners(add(cur, me));
    yield* this.setOp(LEARNERS_KEY, int(this.learners), {});
  }

  /**
   * A learner restarted with its ledger reads each key it holds at a majority, at
   * replication_rate keys per second, and so installs what changed while it was
   * away. Our voters push that anyway; SWI voters push nothing to a learner, and this
   * is all it can do there: keys it never heard of stay unknown to it.
   */
  private *refreshOp(): Op<void> {
    const keys: Term[] = [];
    for (const e of this.ledger.latest()) if (!isAdminKey(e.key)) keys.push(e.key);
    const pause = 1000 / this.settings.replication_rate;
    for (const key of keys) {
      if (this.phase !== 'running' || this.role !== 'learner') return;
      yield* this.getOp(key, { quorum: true, retries: 0 });
      yield* sleep(pause);
    }
  }

  /**
   * The current quorum, read at a majority: a membership change starts from the value
   * the cluster chose, not from a view that may lag. False when no majority answered.
   */
  private *readQuorumOp(): Op<boolean> {
    const r = yield* this.getOp(QUORUM_KEY, { quorum: true });
    if (!r.ok || r.op !== 'get' || r.value.kind !== 'int' || r.gen === undefined) return false;
    if (BigInt(r.value.value) !== this.quorum) this.applyChanged(QUORUM_KEY, r.gen, r.value, 0n);
    return true;
  }

  /**
   * Learner to voter. Others count it from the moment the new quorum is chosen, while
   * it is still silent (a member that does not answer: safe). It votes only once the
   * quorum holding it is chosen, as a joining member does.
   */
  private *promoteOp(): Op<string | undefined> {
    const me = this.node!;
    if (!(yield* this.readQuorumOp())) return 'no majority answered for the quorum';
    if (!has(this.quorum, me) && this.compacting() && !(yield* this.epochCheckOp())) return 'no majority answered for the compaction epoch';
    if (!has(this.quorum, me) && !(yield* this.updateSetOp('quorum', me, 'add'))) return 'no majority for the membership change';
    this.scheduleCompaction();
    if (this.phase !== 'running') return 'left';
    this.role = 'voter';
    this.emit({ kind: 'membership', node: me, quorum: this.quorum, dead: this.dead });
    yield* this.updateSetOp('learners', me, 'del');
    this.startReplicator();
    return undefined;
  }

  /**
   * Voter to learner. It stops voting first, then takes itself out of the quorum as a
   * proposer: while others still count it, it is a silent member (safe); once they
   * stop counting it, it has long stopped voting. If the change is not chosen it votes
   * again (a silent member only weakens the quorum).
   */
  private *demoteOp(): Op<string | undefined> {
    const me = this.node!;
    if (!(yield* this.readQuorumOp())) return 'no majority answered for the quorum';
    if ((this.quorum & ~bit(me)) === 0n) return 'the only voting member cannot step down';
    this.role = 'learner';
    this.emit({ kind: 'membership', node: me, quorum: this.quorum, dead: this.dead });
    if (!(yield* this.updateSetOp('quorum', me, 'del'))) {
      if (this.phase === 'running') { this.role = 'voter'; this.startReplicator(); }
      return 'no majority for the membership change';
    }
    yield* this.updateSetOp('learners', me, 'add');
    return undefined;
  }

  // --------------------------------------------------------------- leaving

  /** paxos_leave/0. A learner takes itself out of the learners instead of the quorum. */
  private *leaveOp(): Op<void> {
    if (this.node === undefined || this.phase !== 'running') { this.phase = 'left'; this.emit({ kind: 'left' }); return; }
    const me = this.node;
    this.leaving = true;
    this.endResumedRounds(); // announce decided sets before we go
    if (this.role === 'learner') yield* this.updateSetOp('learners', me, 'del');
    else yield* this.leaveNodeOp(me);
    this.broadcast({ t: 'forget', nodes: bit(me) });
    this.phase = 'left';
    this.leaving = false;
    this.emit({ kind: 'left' });
  }

  /** An operator's removal of a member: out of the quorum, into the dead set, forgotten by holders. */
  private *removeOp(n: NodeId): Op<boolean> {
    const out = yield* this.updateSetOp('quorum', n);
    if (!out) return false;
    yield* this.updateSetOp('dead', n);
    this.broadcast({ t: 'forget', nodes: bit(n) });
    return true;
  }

  /** paxos_leave/1. */
  private *leaveNodeOp(n: NodeId): Op<void> {
    yield* this.updateSetOp('quorum', n);
    yield* this.updateSetOp('dead', n);
  }

  /** paxos_update_set/2: repeat until set or leaving (ours: a bounded number of attempts). */
  private *updateSetOp(which: 'quorum' | 'dead' | 'learners', n: NodeId, how: 'add' | 'del' = which === 'dead' ? 'add' : 'del'): Op<boolean> {
    for (let i = 0; ; i++) {
      const value = which === 'quorum' ? this.quorum : which === 'dead' ? this.dead : this.learners;
      const next = how === 'del' ? del(value, n) : add(value, n);
      if (value === next) return true;
      const r = yield* this.setOp(which === 'quorum' ? QUORUM_KEY : which === 'dead' ? DEAD_KEY : LEARNERS_KEY, int(next), {});
      if (r.ok) return true;
      if (this.leaving) return false;
      if (this.policy.boundedLeave && i + 1 >= this.settings.max_membership_sets) return false;
      if (!this.policy.boundedLeave && i >= 200) { this.stats.livelocks++; return false; } // paxos.pl loops forever
    }
  }

  // ------------------------------------------------------------ node status

  /** update_failed/3. */
  private updateFailed(action: 'set' | 'get' | 'replicate', quorum: Bitmap, alive: Bitmap): Op<void> | undefined {
    let failed = quorum & ~alive;
    if (this.policy.name === 'ours' && this.node !== undefined) failed = del(failed, this.node);
    for (const n of members(alive)) this.scores.delete(n);
    const dying: NodeId[] = [];
    for (const n of members(failed)) {
      // Ours: a member that answered anything within the last membership interval is
      // slow (a loaded machine, a backlog), not dead: scoring it would drop a working
      // member from the quorum, and the churn would load everyone further.
      if (this.policy.deathTest === 'decay' && this.now - (this.lastHeard.get(n) ?? -Infinity) < this.settings.membership_interval * 1000) continue;
      if (this.considerDead(n)) dying.push(n);
    }
    if (failed !== this.failed) {
      this.failed = failed;
      if (action === 'set') this.startReplicator();
    }
    if (dying.length === 0 || !this.policy.evictDead) return undefined;
    const self = this;
    return (function* () { for (const n of dying) yield* self.leaveNodeOp(n); })();
  }

  /** consider_dead1/1: true when the node is now considered dead. */
  private considerDead(n: NodeId): boolean {
    const s = this.scores.get(n);
    const t = this.now / 1000;
    if (!s) { this.scores.set(n, { last: t, score: 10 }); return false; }
    const score = s.score * 2 ** (-(t - s.last) / this.settings.death_half_life) + 10;
    this.scores.set(n, { last: t, score });
    return this.policy.deathTest === 'inverted' ? score < this.settings.death_score : score >= this.settings.death_score;
  }

  /** Run the leave operations update_failed asks for: inline as paxos.pl, or in the background (ours). */
  private *afterFailed(op: Op<void> | undefined): Op<void> {
    if (!op) return;
    if (this.policy.boundedLeave) this.spawn(op);
    else yield* op;
  }

  /** life_quorum/2. */
  lifeQuorum(): { quorum: Bitmap; alive: Bitmap } {
    const quorum = this.quorum;
    if (this.failed !== 0n) {
      const alive = quorum & ~this.failed;
      if (majority(alive, quorum)) return { quorum, alive };
    }
    return { quorum, alive: quorum };
  }

  // -------------------------------------------------------------------- set

  private broadcast(msg: PaxosMsg): void {
    this.emit({ kind: 'broadcast', msg });
    this.onSend(msg); // our own copy, as paxos.pl receives it over UDP
  }

  private nextGen(key: Term, highest: Gen): Gen {
    if (this.policy.ballot === 'succ') return highest + 1;
    const k = keyText(key);
    const g = uniqueBallot(Math.max(highest, this.lastBallot.get(k) ?? this.ballotFloor, this.local.floor - 1), this.node!);
    this.lastBallot.delete(k); // re-inserted as the most recent
    this.lastBallot.set(k, g);
    if (this.lastBallot.size > LAST_BALLOTS) {
      const [oldest, og] = this.lastBallot.entries().next().value!;
      this.lastBallot.delete(oldest);
      this.ballotFloor = Math.max(this.ballotFloor, og);
    }
    return g;
  }

  /** Our own last ballot for `key` is its newest record, valid: no other proposal is known since. */
  private ownsNewest(key: Term): boolean {
    const v = this.ledger.read(key);
    return v !== undefined && this.lastBallot.get(keyText(key)) === v.gen && this.ledger.newestGen(key) === v.gen;
  }

  /** paxos_set/3. */
  private *setOp(key: Term, value: Term, o: { retries?: number; timeout?: number }): Op<SetOutcome> {
    const retries = o.retries ?? this.settings.max_sets;
    const tmo = (o.timeout ?? this.settings.response_timeout) * 1000;
    const ours = this.policy.name === 'ours';
    const once = this.policy.atMostOnce;
    let reason = 'no agreement';
    const rejected = (why: string): SetOutcome => ({ ok: false, reason: why, outcome: 'rejected' });
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (this.phase === 'left') return rejected('left');
      if (attempt > 0 && this.policy.backoff) {
        const win = Math.min(this.settings.set_backoff * 2 ** (attempt - 1), this.settings.set_backoff_max) * 1000;
        yield* sleep(this.rng() * win);
        if ((this.phase as Phase) === 'left') return rejected('left');
      }
      this.stats.setAttempts++;
      if (once && this.node !== undefined) yield* this.identifyOp(this.lifeQuorum().alive & ~bit(this.node), tmo);
      const { quorum, alive } = this.lifeQuorum();
      if (alive === 0n) { reason = 'empty quorum'; continue; }
      // Only members count towards majorities (ours): a reply from a node outside our
      // view of the quorum (a joiner, a learner) is no vote.
      const members = ours ? quorum : ~0n;
      // The prepare round only finds a generation above every record; a proposer that
      // made the key's newest record itself, confirmed, knows it already (ours).
      const fast = attempt === 0 && this.policy.skipPrepare && this.ownsNewest(key);
      let prepNodes: Bitmap | undefined;
      let k = this.ledger.newestGen(key);
      if (!fast) {
        // Ours ends the prepare round once a majority answered: any majority meets the
        // majority of every chosen ballot, and an acceptor refuses a ballot below what it
        // holds, so waiting for a silent (failed) member would only cost its timeout.
        const prep = yield* collect({
          msg: { t: 'prepare', key, value }, quorum, timeoutMs: tmo, self: true, keepDuplicates: !ours,
          ...(this.policy.decideAtMajority && !isAdminKey(key) && { done: (rs: readonly Reply[]) => majority(repliedBy(rs) & quorum, quorum) }),
        });
        prepNodes = 0n; k = 0;
        for (const r of prep) {
          const m = r.msg as { node?: NodeId; gen?: Gen };
          if (m.node !== undefined) prepNodes = add(prepNodes, m.node);
          if (m.gen !== undefined && m.gen > k) k = m.gen;
        }
        if (this.phase !== 'running') return rejected('node id given up'); // duplicateId(), before any accept
        if (!majority(prepNodes & members, quorum)) { reason = 'no majority for prepare'; this.stats.attempts.prepareFailed++; continue; }
      }
      // At most once counts only nacks from members known to follow our rules: an SWI
      // acceptor nacks a copy of a ballot it already took (a duplicate datagram, or a
      // reader's learn/5 that came first), so its nack does not prove the ballot refused.
      const trusted = once && this.node !== undefined ? add(this.known(), this.node) : quorum;
      const gen = this.nextGen(key, k);
      // Ours: decided once a majority of the quorum accepted; the round stays open for
      // the others (see decided() below). Admin keys keep SWI's whole round.
      const round: Round = {};
      const early = this.policy.decideAtMajority && !isAdminKey(key);
      const accept: PaxosMsg = { t: 'accept', key, gen, value };
      let acc = yield* collect({
        // At most once waits longer for the first replies (the round ends as soon as it is
        // decided and the live members answered): a late reply is lost to the round, and
        // without it the outcome may stay unknown.
        msg: accept, timeoutMs: once ? tmo * ACCEPT_PATIENCE : tmo, self: true,
        // At most once: every reply counts, and a nack ends the round only once no
        // majority can accept. Undecided, the round waits for every member (a failed
        // one's late nack may decide it); decided, for the live ones.
        ...(once
          ? {
            keepDuplicates: true,
            done: (rs: readonly Reply[]) => {
              const v = acceptVerdict(rs, gen, quorum, trusted);
              const replied = repliedBy(rs);
              return v === 'rejected' || (v !== undefined && (alive & replied) === alive) || (quorum & replied) === quorum;
            },
          }
          : { quorum: alive, keepDuplicates: !ours, stop: (m: PaxosMsg) => m.t === 'accept' && m.genA === 'nack' }),
        ...(early && {
          enough: once
            ? (rs: readonly Reply[]) => (round.decided = acceptVerdict(rs, gen, quorum, trusted) === 'chosen')
            : (rs: readonly Reply[]) => (round.decided = majority(acceptedBy(rs, gen), quorum) && rs.every((r) => acceptedGen(r) === gen)),
          onEnd: (rs: readonly Reply[]) => { round.all = rs; round.end?.(rs); },
        }),
      });
      if (once) {
        let verdict = acceptVerdict(acc, gen, quorum, trusted);
        // Undecided (replies lost, members slow or cut off): resend the same accept to
        // the members that said nothing. Acceptors take a resent ballot again, so a lost
        // reply comes back; a nack to a resend may come from an acceptor that took the
        // ballot before and moved on, so it proves nothing and is not counted.
        for (let i = 0; verdict === undefined && i < ACCEPT_RESENDS && this.phase === 'running'; i++) {
          const silent = quorum & ~repliedBy(acc);
          if (silent === 0n) break;
          const more = yield* collect({ msg: accept, quorum: silent, timeoutMs: tmo * 2 ** (i + 1), self: false, keepDuplicates: true,
            done: (rs: readonly Reply[]) => popcount((acceptedBy(acc, gen) | acceptedBy(rs, gen)) & quorum) >= needed(quorum) });
          acc = [...acc, ...more.filter((r) => acceptedGen(r) === gen)];
          verdict = acceptVerdict(acc, gen, quorum, trusted);
        }
        if (verdict === 'rejected') { reason = 'a majority refused the ballot'; this.stats.attempts.rejected++; continue; }
        if (verdict === undefined) {
          this.stats.attempts.undecided++;
          // Never retried: a new ballot could write the value a second time, after
          // another set that came in between, if this one was chosen after all.
          return { ok: false, reason: this.phase === 'running' ? 'no majority answered the accept' : 'node stopped during the accept', outcome: 'unknown' };
        }
        this.stats.attempts.chosen++;
        const accNodes = acceptedBy(acc, gen);
        if (round.decided) {
          this.decided(round, key, gen, value, accNodes, quorum);
          return { ok: true, gen };
        }
        this.broadcast({ t: 'changed', key, gen, value, acceptors: accNodes });
        yield* this.afterFailed(this.updateFailed('set', quorum, repliedBy(acc)));
        return { ok: true, gen };
      }
      let accNodes = 0n; let allSame = acc.length > 0;
      for (const r of acc) {
        const m = r.msg as { node?: NodeId; genA?: Gen | 'nack' };
        if (m.node !== undefined) accNodes = add(accNodes, m.node);
        if (m.genA !== gen) allSame = false;
      }
      // paxos.pl's rules (and ours before departure 13) report every failure alike.
      if (this.phase !== 'running') return rejected('node id given up'); // duplicateId()
      if (!majority(accNodes, quorum)) { reason = 'no majority for accept'; continue; }
      if (prepNodes !== undefined && (prepNodes & accNodes) === 0n) { reason = 'prepare and accept sets do not intersect'; continue; }
      if (!allSame) { reason = 'c_element'; continue; }
      if (round.decided) {
        this.decided(round, key, gen, value, accNodes, quorum);
        return { ok: true, gen };
      }
      this.broadcast({ t: 'changed', key, gen, value, acceptors: accNodes });
      yield* this.afterFailed(this.updateFailed('set', quorum, accNodes));
      return { ok: true, gen };
    }
    return rejected(reason);
  }

  /**
   * A set decided at majority (Policy.decideAtMajority): the value is chosen, so the
   * caller has its answer and this node its confirmed record now. The changed/4
   * broadcast waits for the round's end, so it names every acceptor (a late one
   * would otherwise look like a member lacking the key to the replicators), and
   * failure scoring then sees the late replies as answers, not failures.
   */
  private decided(round: Round, key: Term, gen: Gen, value: Term, accNodes: Bitmap, quorum: Bitmap): void {
    // An SWI acceptor needs changed/4 before any newer accept reaches it: paxos.pl's
    // ledger_update_holders/3 moves the record it validates in front of newer ones, and
    // accept/learn then compare against that older generation. So next to SWI members
    // it goes out at once, and again at the round's end only if more accepted.
    const early = (quorum & ~this.known() & ~(this.node === undefined ? 0n : bit(this.node)) & ~this.learners) !== 0n;
    if (early) this.broadcast({ t: 'changed', key, gen, value, acceptors: accNodes });
    else this.onSend({ t: 'changed', key, gen, value, acceptors: accNodes });
    round.end = (all) => {
      if (this.phase === 'left') return;
      let answered = 0n;
      for (const r of all) { const n = replyNode(r.msg); if (n !== undefined) answered = add(answered, n); }
      const holders = acceptedBy(all, gen) | accNodes;
      if (!early || holders !== accNodes) this.emit({ kind: 'broadcast', msg: { t: 'changed', key, gen, value, acceptors: holders } });
      this.ledger.confirm(key, gen, value, holders); // our holders too, without a second change event
      const leave = this.updateFailed('set', quorum, answered);
      if (leave) this.spawn(leave);
    };
    if (round.all) round.end(round.all);
  }

  // -------------------------------------------------------------------- get

  /** paxos_get/3. */
  private *getOp(key: Term, o: { retries?: number; timeout?: number; quorum?: boolean }): Op<CallResult> {
    const local = this.ledger.read(key);
    if (local && !(this.policy.get === 'majority' && o.quorum) && !(this.policy.guardStale && this.ledger.superseded(key))) {
      return { ok: true, op: 'get', value: local.value, gen: local.gen, source: 'local' };
    }
    const retries = o.retries ?? this.settings.max_gets;
    const tmo = (o.timeout ?? this.settings.response_timeout) * 1000;
    // Our id was given up (duplicateId) while an operation of the old id went on.
    if (this.node === undefined) return { ok: false, op: 'get', reason: 'node id given up' };
    const me = this.node!;
    if (this.policy.get === 'swi') {
      for (let attempt = 0; attempt <= retries; attempt++) {
        const { quorum, alive } = this.lifeQuorum();
        const qa = del(alive, me);
        const rs = yield* collect({ msg: { t: 'retrieve', key }, quorum: qa, timeoutMs: tmo, self: true, keepDuplicates: true });
        let got = 0n;
        for (const r of rs) if (r.msg.t === 'retrieve' && r.msg.node !== undefined) got = add(got, r.msg.node);
        const best = highestVote(rs);
        if (!best || best.count < Math.floor((popcount(qa) + 2) / 2)) continue;
        yield* this.afterFailed(this.updateFailed('get', quorum, got));
        this.stats.networkWrites++;
        const s = yield* this.setOp(key, best.value, {}); // "Is this needed?" says paxos.pl
        if (!s.ok) continue;
        // The caller's Value is bound only when every addressed member replied (collect's
        // if-then-else keeps the last reply's bindings); otherwise it stays unbound.
        const allReplied = qa !== 0n && (qa & got) === qa;
        const last = rs[rs.length - 1]?.msg as { value?: Term; gen?: Gen } | undefined;
        return allReplied && last?.value
          ? { ok: true, op: 'get', value: last.value, gen: last.gen, source: 'network' }
          : { ok: true, op: 'get', value: variable(), gen: undefined, source: 'network' };
      }
      return { ok: false, op: 'get', reason: 'no majority' };
    }
    // Ours: a value only when a majority of the quorum holds it at one generation, and
    // no newer generation can have been accepted by a majority (so none can have been
    // chosen). Every member reports its newest accepted record (valid or not) and ours
    // counts as a vote. Never a write: members that lag or hold the answer unconfirmed
    // get a learn push (repair, no new generation).
    let reason = 'no majority agrees on a generation';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) yield* sleep(this.rng() * this.settings.set_backoff * 1000 * 2 ** Math.min(attempt, 5));
      const { quorum, alive } = this.lifeQuorum();
      const ask = del(alive, me);
      // Our own record counts as a vote (a voter's only: a learner's never counts); an
      // absent key votes at generation 0.
      const mine = this.newestAccepted(key);
      const voter = this.role === 'voter';
      yield* this.identifyOp(ask & quorum, tmo);
      const ours = add(this.known(), me);
      const tally = (rs: readonly Reply[]): ReadTally => readTally(rs, quorum, voter ? me : undefined, mine, ours);
      // The round ends as soon as the replies decide the read (no need to wait for a silent member).
      const rs = ask === 0n ? [] : yield* collect({
        msg: { t: 'retrieve', key }, quorum: ask, timeoutMs: tmo, self: false,
        done: (replies: readonly Reply[]) => tally(replies).best !== undefined,
      });
      let t = tally(rs);
      yield* this.afterFailed(this.updateFailed('get', ask, t.got));
      if (t.best === undefined && t.hiders && t.newest?.[1].value !== undefined) {
        // SWI members report confirmed records only: one may hold the newest ballot, accepted
        // and never confirmed (its changed/4 lost), and so hide it. Offer them that ballot
        // again as learn/5 (to SWI the same test as an accept, so no more than the
        // proposer's own accept arriving late); those that take it, or held it, say yes.
        const [g, e] = t.newest;
        const lr = yield* collect({ msg: { t: 'learn', key, gen: g, value: e.value! }, quorum: t.hiders, timeoutMs: tmo, self: false });
        const took = lr.filter((r) => r.msg.t === 'learn' && r.msg.genA === g);
        if (took.length > 0) {
          const as = took.map((r) => ({ ...r, msg: { t: 'retrieve', key, node: replyNode(r.msg)!, gen: g, value: e.value! } as PaxosMsg }));
          t = tally([...rs.filter((r) => !took.some((x) => replyNode(x.msg) === replyNode(r.msg))), ...as]);
          if (t.best?.[0] === g) this.broadcast({ t: 'learned', key, gen: g, value: e.value!, acceptors: t.best[1].nodes });
        }
      }
      if (t.best === undefined) { if (t.blocked) reason = 'a newer generation may have been chosen'; continue; }
      const [gen, best] = t.best;
      if (best.value === undefined) return { ok: false, op: 'get', reason: NO_SUCH_KEY };
      const lagging = t.got & ~best.nodes;
      const myValid = this.ledger.read(key);
      if (lagging !== 0n || myValid?.gen !== gen || t.generations > 1) {
        const entry: ValidEntry = { key, gen, value: best.value, holders: best.nodes };
        this.spawn(this.replicateKeyOp(add(t.got, me), entry, tmo));
      }
      return { ok: true, op: 'get', value: best.value, gen, source: 'network' };
    }
    return { ok: false, op: 'get', reason };
  }

  /** Members taken to follow our rules: those identified, or every one without Policy.swiAware. */
  private known(): Bitmap {
    return this.policy.swiAware ? this.ours : -1n;
  }

  /**
   * Find out which of `nodes` follow our rules: ask them for PROBE_KEY, a key nobody
   * writes; ours answer "no record here", SWI's stay silent. Silent ones are asked
   * again only after PROBE_AGAIN_MS.
   */
  private *identifyOp(nodes: Bitmap, tmo: number): Op<void> {
    if (!this.policy.swiAware) return;
    if (this.now - this.probedAt > PROBE_AGAIN_MS) this.probedSilent = 0n;
    const unknown = nodes & ~this.ours & ~this.probedSilent;
    if (unknown === 0n) return;
    this.probedAt = this.now;
    yield* collect({ msg: { t: 'retrieve', key: PROBE_KEY }, quorum: unknown, timeoutMs: tmo, self: false });
    this.probedSilent |= unknown & ~this.ours;
  }

  // -------------------------------------------------------------------- ask

  private *askOp(call: { message: Term; timeout?: number; quorum?: Bitmap }): Op<CallResult> {
    const quorum = call.quorum ?? this.lifeQuorum().quorum;
    const tmo = (call.timeout ?? this.settings.response_timeout) * 1000;
    const rs = yield* collect({ msg: { t: 'ask', message: call.message }, quorum, timeoutMs: tmo, self: true, keepDuplicates: true });
    return {
      ok: true, op: 'ask',
      replies: rs.map((r) => ({ node: replyNode(r.msg), message: (r.msg as { message: Term }).message })),
    };
  }

  // ------------------------------------------------------------ replication

  /** start_replicator/0. */
  startReplicator(): void {
    // A learner holds only what it was given; voters replicate (to learners too).
    if (this.phase !== 'running' || this.node === undefined || this.role === 'learner') return;
    if (this.replicatorRunning) { this.replicatorWake = true; return; }
    this.replicatorRunning = true;
    this.spawn(this.replicatorOp(), () => { this.replicatorRunning = false; });
  }

  private needsReplication(nodes: Bitmap): ValidEntry[] {
    const out: ValidEntry[] = [];
    const all = this.policy.ledger === 'swi' ? this.ledger.current() : this.ledger.lacking(nodes);
    // The learners key is replicated like data (as paxos.pl does): a voter that missed
    // its changed/4 gets the record pushed, and then reads it in membership checks.
    for (const e of all) {
      if ((nodes & ~e.holders) !== 0n && !isSwiAdminKey(e.key) && keyText(e.key) !== COMPACTED_K && this.refuted.get(keyText(e.key)) !== e.gen) out.push(e);
    }
    return out;
  }

  /** replicator/0: push keys to members that do not hold them, replication_rate keys per second. */
  private *replicatorOp(): Op<void> {
    const pause = 1000 / this.settings.replication_rate;
    for (;;) {
      this.replicatorWake = false;
      if (this.phase !== 'running' || this.role !== 'voter') return;
      const me = this.node!;
      let life = this.quorum & ~this.dead;
      if (this.policy.catchUp && this.failed !== 0n && majority(life & ~this.failed, this.quorum)) life &= ~this.failed;
      // Learners get the same pushes as members (Policy.learners), except those that
      // did not answer the last one: they are retried at the next membership check.
      life |= this.learners & ~this.quorum & ~this.dead & ~this.learnersAway;
      if ((life & ~bit(me)) === 0n) return;
      const todo = this.needsReplication(life);
      if (todo.length === 0) {
        if (this.replicated > 0) this.emit({ kind: 'progress', replicated: this.replicated, pending: 0 });
        this.replicated = 0;
        if (this.replicatorWake) continue;
        return;
      }
      let pick = 0;
      if (this.policy.name === 'swi') {
        const nth = Math.floor(this.rng() * popcount(life));
        pick = nth < todo.length ? nth : 0;
      }
      yield* this.replicateKeyOp(life, todo[pick]!, this.settings.response_timeout * 1000);
      this.replicated++;
      if (this.policy.catchUp) this.emit({ kind: 'progress', replicated: this.replicated, pending: todo.length - 1 });
      yield* sleep(pause);
    }
  }

  /** paxos_replicate_key/3. */
  private *replicateKeyOp(nodes: Bitmap, e: ValidEntry, tmo: number): Op<void> {
    let nacked = false;
    const rs = yield* collect({
      msg: { t: 'learn', key: e.key, gen: e.gen, value: e.value }, quorum: nodes, timeoutMs: tmo, self: true,
      keepDuplicates: this.policy.name === 'swi', stop: (m) => (nacked ||= m.t === 'learn' && m.genA === 'nack'),
    });
    let learned = 0n;
    for (const r of rs) if (r.msg.t === 'learn' && r.msg.node !== undefined) learned = add(learned, r.msg.node);
    if (this.policy.catchUp && nacked) {
      // A member holds something newer: ours is stale. Stop pushing it and catch up.
      const k = keyText(e.key);
      this.refuted.delete(k);
      this.refuted.set(k, e.gen);
      if (this.refuted.size > 10_000) this.refuted.delete(this.refuted.keys().next().value!);
      this.spawn(this.getOp(e.key, { quorum: true, retries: 1 }));
      // Next to SWI members, announce nothing: paxos.pl's ledger_update_holders/3 would
      // move this superseded record in front of the newer one an SWI member accepted,
      // which it then compares new ballots against (departure 17).
      if ((this.quorum & ~this.known()) !== 0n) {
        yield* this.afterFailed(this.updateFailed('replicate', nodes & this.quorum, learned));
        return;
      }
    }
    const holders = e.holders | learned;
    this.broadcast({ t: 'learned', key: e.key, gen: e.gen, value: e.value, acceptors: holders });
    // A learner that said nothing is away, not failed: failure scores are for members.
    if (this.policy.learners) {
      const outside = nodes & ~this.quorum;
      this.learnersAway = (this.learnersAway | (outside & ~learned)) & ~learned;
      nodes &= this.quorum;
    }
    yield* this.afterFailed(this.updateFailed('replicate', nodes, learned));
  }

  // ------------------------------------------------------ membership (ours)

  private scheduleMembershipCheck(): void {
    if (this.membershipTimer) return;
    this.membershipTimer = true;
    const jitter = 0.5 + this.rng();
    this.setTimer(this.settings.membership_interval * 1000 * jitter, () => {
      this.membershipTimer = false;
      if (this.phase !== 'running' || this.leaving) return;
      this.spawn(this.membershipCheckOp(), () => this.scheduleMembershipCheck());
    });
  }

  /**
   * Anti-entropy for the admin keys: adopt the newest confirmed quorum and dead sets
   * any peer holds (so a healed partition converges on one view and a node dropped
   * while cut off re-adds itself), wake the replicator, and release long-dead ids.
   */
  private *membershipCheckOp(): Op<void> {
    const tmo = this.settings.response_timeout * 1000;
    let heard = 0n;
    for (const key of this.knowsLearners() ? [QUORUM_KEY, DEAD_KEY, LEARNERS_KEY] : [QUORUM_KEY, DEAD_KEY]) {
      if (this.phase !== 'running') return;
      const rs = yield* collect({ msg: { t: 'retrieve', key }, quorum: del(this.quorum, this.node!), timeoutMs: tmo, self: false });
      if (this.phase !== 'running' || this.node === undefined) return; // gave up a duplicate id meanwhile
      let best: { gen: Gen; value: Term; holders: Bitmap } | undefined;
      // A learner holds no vote on the membership either: only the members who answered count.
      let replied = this.role === 'voter' ? bit(this.node) : 0n;
      for (const r of rs) {
        const m = r.msg;
        if (m.t !== 'retrieve' || m.gen === undefined || m.value === undefined || m.node === undefined) continue;
        replied = add(replied, m.node);
        if (!best || m.gen > best.gen) best = { gen: m.gen, value: m.value, holders: 0n };
        if (best.gen === m.gen) best.holders = add(best.holders, m.node);
      }
      heard |= replied;
      const mine = this.ledger.read(key);
      if (this.phase !== 'running') return;
      // Peers report accepted records too; adopt only what most of those who answered hold.
      if (best && (!mine || best.gen > mine.gen) && majority(best.holders, replied)) {
        this.applyChanged(key, best.gen, best.value, add(best.holders, this.node!));
      } else if (key === LEARNERS_KEY && mine?.value.kind === 'int') {
        // The record may have come by replication (learn/learned), which leaves the view alone.
        this.setLearners(BigInt(mine.value.value));
      }
    }
    if (this.phase !== 'running') return;
    // Members that answer again are no longer failed: the replicator then pushes them
    // what they missed while cut off (packages-paxos' "FIXME: b should recover").
    if ((this.failed & heard) !== 0n) {
      for (const n of members(this.failed & heard)) this.scores.delete(n);
      this.failed &= ~heard;
    }
    // Accepted writes whose changed/4 never arrived: settle them by a majority read,
    // which installs the chosen record here (and on others that lag).
    const stale = this.now - 4 * tmo;
    let resolving = 0;
    for (const u of this.ledger.unconfirmed()) {
      if (u.at > stale || isAdminKey(u.key)) continue;
      if (++resolving > 64) break;
      this.spawn(this.getOp(u.key, { quorum: true, retries: 0 }));
    }
    // Re-assert our own membership if our view lacks it (e.g. we were declared dead while cut off).
    // A learner asserts the opposite: out of the quorum, in the learners.
    const me = this.node!;
    if (this.roleChange === undefined && has(this.quorum, me) !== (this.role === 'voter')) {
      // A voter out of the quorum (removed while away) checks the compaction epoch before it votes again.
      if (this.role === 'voter' && this.compacting() && !(yield* this.epochCheckOp())) return;
      if (this.phase !== 'running' || this.node !== me) return;
      const q = this.role === 'voter' ? add(this.quorum, me) : del(this.quorum, me);
      if (q !== 0n) {
        this.setQuorum(q);
        this.spawn(this.setOp(QUORUM_KEY, int(this.quorum), {}));
      }
    }
    if (has(this.dead, me)) {
      this.setDead(del(this.dead, me));
      this.spawn(this.setOp(DEAD_KEY, int(this.dead), {}));
    }
    if (this.policy.learners && this.roleChange === undefined) this.assertLearnerEntry();
    // Learners that missed a push get another try now.
    this.learnersAway = 0n;
    this.startReplicator();
    if (this.policy.releaseDead) yield* this.releaseDeadOp();
    if (this.policy.learners && this.policy.releaseDead) yield* this.releaseLearnersOp();
  }

  /**
   * A learner id not heard from for dead_release seconds is dropped from the learners
   * (by the lowest live member, as dead ids are released), once a node/3 query, which
   * every running node answers, confirms it is gone. Holders forget it. A learner that
   * was only cut off puts itself back at its next membership check.
   */
  private *releaseLearnersOp(): Op<void> {
    const me = this.node!;
    if (this.role !== 'voter') return;
    const { alive } = this.lifeQuorum();
    if (members(alive & ~this.dead)[0] !== me) return;
    const limit = this.settings.dead_release * 1000;
    const quiet = (n: NodeId): boolean =>
      this.now - Math.max(this.lastHeard.get(n) ?? -Infinity, this.learnerSince.get(n) ?? this.now) >= limit;
    if (!members(this.learners & ~this.quorum).some(quiet)) return;
    yield* collect({ msg: { t: 'node' }, timeoutMs: this.settings.response_timeout * 1000, self: false });
    if (this.phase !== 'running' || this.role !== 'voter') return;
    const gone = fromIds(members(this.learners & ~this.quorum).filter(quiet)); // answering refreshed lastHeard
    if (gone === 0n) return;
    const r = yield* this.setOp(LEARNERS_KEY, int(this.learners & ~gone), { retries: 3 });
    if (r.ok) this.broadcast({ t: 'forget', nodes: gone });
  }

  /**
   * Whether the cluster may have learners: then the membership check reads the
   * learners key too. A cluster without any pays no extra round for them.
   */
  private knowsLearners(): boolean {
    return this.policy.learners && (this.learnersSeen || this.role === 'learner' || this.learners !== 0n || this.ledger.newestGen(LEARNERS_KEY) > 0);
  }

  /** Dead-id release: documented in docs/paxos-departures.md (defect 7). */
  private *releaseDeadOp(): Op<void> {
    const me = this.node!;
    const { alive } = this.lifeQuorum();
    const live = alive & ~this.dead;
    if (members(live)[0] !== me) return; // one releaser: the lowest live id
    const limit = this.settings.dead_release * 1000;
    for (const n of members(this.dead)) {
      const since = this.deadSince.get(n) ?? this.now;
      if (!this.deadSince.has(n)) this.deadSince.set(n, since);
      const heard = this.lastHeard.get(n) ?? -Infinity;
      if (this.now - since < limit || heard > since) continue;
      const next = del(this.dead, n);
      const r = yield* this.setOp(DEAD_KEY, int(next), { retries: 3 });
      if (r.ok) this.broadcast({ t: 'forget', nodes: bit(n) });
    }
  }

  // ------------------------------------------------------------ compaction

  private compacting(): boolean {
    return this.settings.compact_grace > 0 && this.policy.name === 'ours';
  }

  /**
   * A record offered at `gen` for a key we hold nothing of, below our floor: it may be
   * an old value of a compacted key (from a node that missed the delete), so it is
   * refused; a quorum read installs it if it is chosen after all (a write we missed).
   * A tombstone there is as good as held: absent reads as deleted, and our prepare
   * answers stay above it (held: acknowledged, not stored). open: the usual rules apply.
   */
  private belowFloor(key: Term, gen: Gen, value: Term): 'open' | 'held' | 'refused' {
    if (gen >= this.local.floor || isAdminKey(key) || this.ledger.entries(key).length > 0) return 'open';
    if (isTombstone(value)) return 'held';
    const k = keyText(key);
    if (!this.verifying.has(k) && this.verifying.size < VERIFYING && this.phase === 'running') {
      this.verifying.add(k);
      this.spawn(this.verifyOp(key), () => this.verifying.delete(k));
    }
    return 'refused';
  }

  private *verifyOp(key: Term): Op<void> {
    const r = yield* this.getOp(key, { quorum: true, retries: 1 });
    if (!r.ok || r.op !== 'get' || r.gen === undefined || isTombstone(r.value) || this.node === undefined) return;
    if (this.ledger.entries(key).length === 0) this.ledger.confirm(key, r.gen, r.value, bit(this.node));
  }

  private saveLocal(l: LocalCompaction): void {
    this.local = l;
    this.ledger.replace(COMPACTED_KEY, [{ key: COMPACTED_KEY, gen: 1, value: localTerm(l), holders: 0n }]);
  }

  /** The cluster epoch as we hold it. */
  private heldEpoch(): ClusterEpoch {
    const v = this.ledger.read(COMPACTION_KEY)?.value;
    return (v && parseClusterEpoch(v)) ?? NO_EPOCH;
  }

  /** Raise the floor to the cluster epoch we hold; adopt the epoch if we were a member of its round. */
  private adoptEpoch(): void {
    const e = this.heldEpoch();
    const floor = Math.max(this.local.floor, e.epoch);
    const me = this.node;
    const epoch = this.role === 'voter' && me !== undefined && cleanUnder(this.local, e, me) ? Math.max(this.local.epoch, e.epoch) : this.local.epoch;
    if (floor !== this.local.floor || epoch !== this.local.epoch) this.saveLocal({ ...this.local, floor, epoch });
    // A newer epoch we are not clean under: we may have been removed unawares, or re-added
    // by another's stale view. Out of the chosen quorum, updateQuorum has us check the
    // epoch (and drop) before we vote again; still in it, we step out first, as an
    // operator's removal would, so that dropping our data costs no member's vote.
    if (epoch < e.epoch && this.role === 'voter' && me !== undefined && !this.staleCheck && this.roleChange === undefined) {
      this.staleCheck = true;
      this.spawn(this.stepOutOp(), () => { this.staleCheck = false; });
    }
  }

  private *stepOutOp(): Op<void> {
    const me = this.node;
    if (me === undefined || !(yield* this.readQuorumOp())) return;
    if (this.phase !== 'running' || this.node !== me || !has(this.quorum, me) || (this.quorum & ~bit(me)) === 0n) return;
    yield* this.updateSetOp('quorum', me, 'del');
  }

  /**
   * Before a node votes (join, promotion, re-adding itself): read the cluster epoch at
   * a majority. If it is newer than ours and we were no member of its round, our data
   * may hold old values of compacted keys: drop every data record (membership keys
   * stay), have holders forget us so the replicators push us everything again.
   */
  private *epochCheckOp(): Op<boolean> {
    let e: ClusterEpoch | undefined;
    for (let i = 0; i < 3 && e === undefined; i++) {
      if (this.phase !== 'running' || this.node === undefined) return false;
      const r = yield* this.getOp(COMPACTION_KEY, { quorum: true });
      if (r.ok && r.op === 'get') e = parseClusterEpoch(r.value) ?? NO_EPOCH;
      else if (!r.ok && r.reason === NO_SUCH_KEY) e = NO_EPOCH;
    }
    if (e === undefined || this.node === undefined) return false;
    const me = this.node;
    if (!cleanUnder(this.local, e, me)) {
      let dropped = 0;
      const data: Term[] = [];
      for (const { key } of this.ledger.latestAny()) if (!isAdminKey(key)) data.push(key);
      for (const key of data) { this.ledger.replace(key, []); dropped++; }
      this.candidates.clear();
      this.broadcast({ t: 'forget', nodes: bit(me) });
      this.saveLocal({ ...this.local, floor: Math.max(this.local.floor, e.epoch), epoch: e.epoch });
      this.emit({ kind: 'compaction', event: 'dropped', count: dropped, floor: this.local.floor, epoch: this.local.epoch });
    } else if (e.epoch > this.local.epoch || e.epoch > this.local.floor) {
      this.saveLocal({ ...this.local, floor: Math.max(this.local.floor, e.epoch), epoch: Math.max(this.local.epoch, e.epoch) });
    }
    return true;
  }

  private scheduleCompaction(): void {
    if (!this.compacting() || this.compactTimer) return;
    this.compactTimer = true;
    // Several passes per grace period, so "eligible throughout the grace" is sampled often.
    const every = Math.max(this.settings.compact_grace / 4, 0.05) * 1000 * (0.75 + this.rng() / 2);
    this.setTimer(every, () => {
      this.compactTimer = false;
      if (this.phase !== 'running' || this.leaving) return;
      this.spawn(this.compactOp(), () => this.scheduleCompaction());
    });
  }

  /** Why compaction waits now, or undefined when it may run. */
  private compactionPaused(): string | undefined {
    if (this.phase !== 'running' || this.role !== 'voter' || this.node === undefined || !has(this.quorum, this.node)) return 'not a voting member';
    if (this.learners !== 0n) return 'the cluster has learners';
    if ((this.failed & this.quorum) !== 0n || (this.dead & this.quorum) !== 0n) return 'a member is failed or dead';
    if ((this.quorum & ~this.known() & ~bit(this.node)) !== 0n) return 'a member is not known to follow our rules';
    if (this.now - this.quorumSince < this.settings.compact_grace * 1000) return 'the quorum changed within the grace period';
    return undefined;
  }

  /**
   * One compaction pass: look at every key (in chunks), track tombstones every member
   * holds, and remove those that stayed so for the grace period, once the cluster
   * epoch covers their generations.
   */
  private *compactOp(): Op<void> {
    this.adoptEpoch();
    if (this.node !== undefined && this.role === 'voter') yield* this.identifyOp(del(this.quorum, this.node), this.settings.response_timeout * 1000);
    if (this.compactionPaused() !== undefined) { this.candidates.clear(); return; }
    const q = this.quorum;
    const grace = this.settings.compact_grace * 1000;
    const seen = new Set<string>();
    const ready: { key: Term; gen: Gen }[] = [];
    let i = 0;
    let tombstones = 0;
    for (const { key } of this.ledger.latestAny()) {
      if (++i % PASS_CHUNK === 0) {
        yield* sleep(0);
        if (this.compactionPaused() !== undefined || this.quorum !== q) { this.candidates.clear(); return; }
      }
      if (isAdminKey(key)) continue;
      const k = keyText(key);
      const live = this.ledger.peek(key); // the scan's snapshot may be older than the view
      if (live.length === 0) continue;
      if (live[0] && isTombstone(live[0].value)) tombstones++;
      const gen = compactableGen(live, q);
      const c = this.candidates.get(k);
      if (gen === undefined) { if (c) this.candidates.delete(k); continue; }
      seen.add(k);
      if (!c || c.gen !== gen) {
        if (c) this.candidates.delete(k);
        if (this.candidates.size < CANDIDATES) this.candidates.set(k, { key, gen, since: this.now });
        continue;
      }
      if (this.now - c.since >= grace && ready.length < ROUND_MAX) ready.push({ key, gen });
    }
    for (const k of [...this.candidates.keys()]) if (!seen.has(k)) this.candidates.delete(k);
    this.tombstonesSeen = tombstones;
    if (ready.length === 0) return;
    const need = Math.max(...ready.map((r) => r.gen)) + 1;
    // The cluster epoch first: every node that votes later without having been a member now drops its data.
    const r = yield* this.getOp(COMPACTION_KEY, { quorum: true });
    let cur: ClusterEpoch;
    if (r.ok && r.op === 'get') cur = parseClusterEpoch(r.value) ?? NO_EPOCH;
    else if (!r.ok && r.reason === NO_SUCH_KEY) cur = NO_EPOCH;
    else return;
    // A node not clean under the cluster epoch compacts nothing (adoptEpoch deals with it).
    if (this.local.epoch < cur.epoch) return;
    if (cur.epoch < need || cur.quorum !== q) {
      const s = yield* this.setOp(COMPACTION_KEY, clusterEpochTerm({ epoch: Math.max(cur.epoch, need), quorum: q, since: cur.epoch }), { retries: 3 });
      if (!s.ok) return;
    }
    // The quorum as chosen now, not our view: a member added meanwhile holds none of these.
    if (!(yield* this.readQuorumOp()) || this.quorum !== q || this.compactionPaused() !== undefined) { this.candidates.clear(); return; }
    const go = ready.filter((x) => compactableGen(this.ledger.entries(x.key), q) === x.gen);
    if (go.length === 0) return;
    const e = Math.max(this.heldEpoch().epoch, need);
    // The floor is written before the removals: a crash keeps a prefix of the writes.
    this.saveLocal({ floor: Math.max(this.local.floor, e), epoch: Math.max(this.local.epoch, e), count: this.local.count + go.length });
    for (const x of go) { this.ledger.replace(x.key, []); this.candidates.delete(keyText(x.key)); }
    this.tombstonesSeen = Math.max(0, this.tombstonesSeen - go.length);
    this.emit({ kind: 'compaction', event: 'compacted', count: go.length, floor: this.local.floor, epoch: this.local.epoch });
  }

  /** Compaction counters: tombstones seen by the last pass, tombstones removed here ever, floor and epoch. */
  compaction(): { tombstones: number; compacted: number; floor: number; epoch: number; candidates: number } {
    return { tombstones: this.tombstonesSeen, compacted: this.local.count, floor: this.local.floor, epoch: this.local.epoch, candidates: this.candidates.size };
  }

  // ---------------------------------------------------------------- queries

  property(): { node: NodeId | undefined; quorum: Bitmap; failed: Bitmap; dead: Bitmap; phase: Phase; role: Role; learners: Bitmap } {
    return { node: this.node, quorum: this.quorum, failed: this.failed, dead: this.dead, phase: this.phase, role: this.role, learners: this.learners };
  }
}


interface ReadTally {
  /** The generation a majority of members holds (value undefined: the key is absent there), if the read is decided. */
  readonly best: [Gen, { value: Term | undefined; nodes: Bitmap }] | undefined;
  /** A newer generation than any majority's might have been chosen: no answer. */
  readonly blocked: boolean;
  /** Nodes that answered (ourselves excluded). */
  readonly got: Bitmap;
  readonly generations: number;
  /** The newest generation any member reported (never 0). */
  readonly newest?: [Gen, { value: Term | undefined; nodes: Bitmap }] | undefined;
  /** Members not known to follow our rules that reported less than `newest`: they may hide it (SWI reports confirmed records only). */
  readonly hiders?: Bitmap;
}

/**
 * Our quorum read's decision (departure 3): a value only when a majority of the quorum
 * reports one generation, and no newer generation reported by some members could,
 * with the members that stayed silent, form a majority (it might have been chosen).
 * Absent keys vote at generation 0, so "no such key" needs a majority too.
 */
function readTally(rs: readonly Reply[], quorum: Bitmap, me: NodeId | undefined, mine: { gen: Gen; value: Term } | undefined, ours: Bitmap): ReadTally {
  const votes = new Map<Gen, { value: Term | undefined; nodes: Bitmap }>();
  let got = 0n;
  /** Per voter, the generation it reported. */
  const said = new Map<NodeId, Gen>();
  const vote = (n: NodeId, g: Gen, v: Term | undefined): void => {
    const e = votes.get(g) ?? { value: v, nodes: 0n };
    e.nodes = add(e.nodes, n);
    votes.set(g, e);
    said.set(n, g);
  };
  if (me !== undefined) vote(me, mine?.gen ?? 0, mine?.value);
  for (const r of rs) {
    const m = r.msg;
    if (m.t !== 'retrieve' || m.node === undefined) continue;
    if (m.absent) { got = add(got, m.node); vote(m.node, 0, undefined); continue; }
    if (m.gen === undefined || m.value === undefined) continue;
    got = add(got, m.node);
    vote(m.node, m.gen, m.value);
  }
  // Members that said nothing might hold anything.
  const silent = popcount(quorum & ~(me === undefined ? got : add(got, me)));
  const need = needed(quorum);
  const sorted = [...votes].sort((x, y) => y[0] - x[0]);
  const newest = sorted.find(([g]) => g > 0);
  let hiders = 0n;
  if (newest) for (const [node, g] of said) if (has(quorum & ~ours, node) && g < newest[0]) hiders = add(hiders, node);
  for (const e of sorted) {
    const n = popcount(e[1].nodes & quorum);
    if (n >= need) {
      // Only a member known to follow our rules reports its newest accepted record; any
      // other (SWI's) reports its newest confirmed one and may have accepted a newer
      // ballot since. Nothing newer than e can have been chosen only if the members
      // that provably hold nothing newer leave no majority to the rest.
      let provenOlder = 0;
      for (const [node, g] of said) if (has(quorum & ours, node) && g <= e[0]) provenOlder++;
      // With no member of ours in the quorum (a learner next to SWI voters) nothing can
      // be proven: such a read is what paxos.pl's own would be, the newest majority.
      if (popcount(quorum) - provenOlder < need || (quorum & ours) === 0n) return { best: e, blocked: false, got, generations: votes.size, newest };
      return { best: undefined, blocked: true, got, generations: votes.size, newest, hiders };
    }
    if (n + silent >= need) return { best: undefined, blocked: true, got, generations: votes.size, newest, hiders };
  }
  return { best: undefined, blocked: false, got, generations: votes.size, newest, hiders };
}

/** highest_vote/3: most frequent Gen-Value; among equal counts the first in standard order. */
function highestVote(rs: readonly Reply[]): { value: Term; gen: Gen; count: number } | undefined {
  const counts = new Map<string, { value: Term; gen: Gen; count: number }>();
  for (const r of rs) {
    const m = r.msg;
    if (m.t !== 'retrieve' || m.gen === undefined || m.value === undefined) continue;
    const k = `${m.gen}\u0000${termKey(m.value)}`;
    const e = counts.get(k) ?? { value: m.value, gen: m.gen, count: 0 };
    e.count++;
    counts.set(k, e);
  }
  let best: { value: Term; gen: Gen; count: number } | undefined;
  for (const e of counts.values()) {
    if (!best || e.count > best.count || (e.count === best.count && e.gen < best.gen)) best = e;
  }
  return best;
}
