// Request tracking, as udp_broadcast.pl's reply queues: each request has a random
// 63-bit id; replies to it are unified with the request's template and handed
// out as they arrive until the deadline, or until the caller stops.
import { randomBytes } from 'node:crypto';
import { int } from '../term/build.js';
import type { Term } from '../term/types.js';
import { type Bindings, resolve, unify } from '../term/unify.js';
import { isGround } from '../term/walk.js';
import { type Address, sameAddress } from './address.js';

export interface Reply {
  /** The request's template instantiated by this reply. */
  readonly term: Term;
  /** Bindings of the template's variables made by this reply. */
  readonly bindings: Bindings;
  /** The replier's address (SWI's `From` in `Term:From`). */
  readonly from: Address;
  /** False for a raw reply (RequestOptions.raw) that is no instance of the request. */
  readonly unifies: boolean;
}

/** The answers to one request, in arrival order; `return()` (or `break` in for-await) stops early. */
export interface ReplyStream extends AsyncIterableIterator<Reply> {
  readonly id: bigint;
  /** Stop listening now; pending next() calls resolve as done. */
  close(): void;
}

// One randomBytes call per 512 ids: a syscall per request showed up in paxos profiles.
const POOL = Buffer.alloc(8 * 512);
let poolAt = POOL.length;

/** SWI's `Id is random(1<<63)`. */
export function randomRequestId(): bigint {
  if (poolAt === POOL.length) { randomBytes(POOL.length).copy(POOL); poolAt = 0; }
  const id = POOL.readBigUInt64BE(poolAt) & ((1n << 63n) - 1n);
  poolAt += 8;
  return id;
}

class Stream implements ReplyStream {
  private readonly queue: Reply[] = [];
  private readonly waiters: ((r: IteratorResult<Reply>) => void)[] = [];
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly id: bigint,
    private readonly template: Term,
    private readonly only: Address | undefined,
    timeoutMs: number,
    private readonly maxQueued: number,
    private readonly onClose: (s: Stream) => void,
    /** Also take replies that do not unify with the template (as they are, without bindings). */
    private readonly raw = false,
  ) {
    this.timer = setTimeout(() => this.close(), timeoutMs);
  }

  /** A reply arrived: keep it when it unifies with the template (SWI's thread_get_message/3 leaves others). */
  offer(term: Term, from: Address): 'taken' | 'skipped' | 'full' {
    if (this.done) return 'skipped';
    if (this.only !== undefined && !sameAddress(this.only, from)) return 'skipped';
    const b = unify(this.template, term);
    if (b === undefined && !this.raw) return 'skipped';
    // A ground reply that unifies is the template instantiated already (no rebuild).
    const reply: Reply = b === undefined
      ? { term, bindings: new Map(), from, unifies: false }
      : { term: isGround(term) ? term : resolve(this.template, b), bindings: b, from, unifies: true };
    const w = this.waiters.shift();
    if (w) w({ value: reply, done: false });
    else if (this.queue.length >= this.maxQueued) return 'full';
    else this.queue.push(reply);
    return 'taken';
  }

  next(): Promise<IteratorResult<Reply>> {
    const r = this.queue.shift();
    if (r) return Promise.resolve({ value: r, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((res) => this.waiters.push(res));
  }

  return(): Promise<IteratorResult<Reply>> {
    this.close();
    this.queue.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.onClose(this);
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Reply> {
    return this;
  }
}

/** Open requests of one scope, by id. */
export class RequestTable {
  private readonly open = new Map<bigint, Stream>();

  constructor(private readonly maxQueued = 10000) {}

  create(template: Term, timeoutMs: number, only?: Address, raw = false): ReplyStream {
    let id = randomRequestId();
    while (this.open.has(id)) id = randomRequestId();
    const s = new Stream(id, template, only, timeoutMs, this.maxQueued, (x) => this.open.delete(x.id), raw);
    this.open.set(id, s);
    return s;
  }

  /** The id as it goes on the wire. */
  static idTerm(id: bigint): Term {
    return int(id);
  }

  /** Route a reply; `unknown` when no open request has this id (late, or never ours). */
  deliver(idTerm: Term, term: Term, from: Address): 'taken' | 'skipped' | 'full' | 'unknown' {
    if (idTerm.kind !== 'int') return 'unknown';
    const s = this.open.get(BigInt(idTerm.value));
    return s === undefined ? 'unknown' : s.offer(term, from);
  }

  closeAll(): void {
    for (const s of [...this.open.values()]) s.close();
  }

  get size(): number {
    return this.open.size;
  }
}
