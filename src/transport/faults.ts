// Fault injection for tests, after packages-paxos' test/poor_udp.pl: datagrams
// are dropped, duplicated, taken out of order (late) or delayed, with seeded
// randomness so a failing run can be replayed. It wraps a DatagramSocket, so
// one node's send side and receive side can each get their own rates.
import type { Address } from './address.js';
import type { DatagramListener, DatagramSocket } from './socket.js';
import { mulberry32 } from '../util/prng.js';

/** poor_udp's Rate/Decay pairs: `rate` starts the fault, `decay` ends it at each later step. */
export interface RateDecay {
  readonly rate: number;
  readonly decay: number;
}

export interface FaultRates {
  /** Probability a datagram is lost. */
  readonly drop?: number;
  /** A copy is also queued, to come out after later datagrams, each time with probability `decay`. */
  readonly duplicate?: RateDecay;
  /** The datagram is queued and comes out after later datagrams (reordering). */
  readonly late?: RateDecay;
  /** Sleeps of `stepMs` (default 10), ending after each with probability `decay`. */
  readonly delay?: RateDecay & { readonly stepMs?: number };
}

export interface FaultProfile {
  readonly seed: number;
  readonly send?: FaultRates;
  readonly receive?: FaultRates;
  /** Queued (late or duplicate) datagrams come out at the latest after this long (default 200 ms), so a quiet network does not hold them forever. */
  readonly maxHoldMs?: number;
}

export interface FaultCounters {
  dropped: number;
  duplicated: number;
  reordered: number;
  delayed: number;
}

/** Seeded PRNG (mulberry32), so a run replays from its seed. */
export const seededRandom = mulberry32;

interface Held<T> {
  readonly item: T;
  readonly decay: number;
  readonly since: number;
}

// One direction of a faulty link: items go in, some come out (later, twice, or never).
class FaultyPipe<T> {
  readonly counters: FaultCounters = { dropped: 0, duplicated: 0, reordered: 0, delayed: 0 };
  private held: Held<T>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly rates: FaultRates,
    private readonly random: () => number,
    private readonly maxHoldMs: number,
    private readonly deliver: (item: T) => void,
  ) {}

  private maybe(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.random() < p;
  }

  push(item: T): void {
    if (this.closed) return;
    // Queued datagrams may come out before this one (poor_udp checks its queue first).
    const keep: Held<T>[] = [];
    for (const h of this.held) (this.maybe(h.decay) ? this.out(h.item) : keep.push(h));
    this.held = keep;
    const r = this.rates;
    if (this.maybe(r.drop)) { this.counters.dropped++; return; }
    if (r.late && this.maybe(r.late.rate)) {
      this.counters.reordered++;
      this.hold(item, r.late.decay);
      return;
    }
    if (r.duplicate && this.maybe(r.duplicate.rate)) {
      this.counters.duplicated++;
      this.hold(item, r.duplicate.decay);
    }
    this.out(item);
  }

  private hold(item: T, decay: number): void {
    this.held.push({ item, decay, since: Date.now() });
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flushOld(), this.maxHoldMs);
      this.flushTimer.unref();
    }
  }

  private flushOld(): void {
    this.flushTimer = undefined;
    const now = Date.now();
    const keep: Held<T>[] = [];
    for (const h of this.held) (now - h.since >= this.maxHoldMs ? this.out(h.item) : keep.push(h));
    this.held = keep;
    if (keep.length > 0) {
      this.flushTimer = setTimeout(() => this.flushOld(), this.maxHoldMs);
      this.flushTimer.unref();
    }
  }

  private out(item: T): void {
    const d = this.rates.delay;
    if (d && this.maybe(d.rate)) {
      this.counters.delayed++;
      let steps = 1;
      while (steps < 1000 && !this.maybe(d.decay)) steps++;
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.closed) this.deliver(item);
      }, steps * (d.stepMs ?? 10));
      this.timers.add(t);
      return;
    }
    this.deliver(item);
  }

  close(): void {
    this.closed = true;
    this.held = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }
}

/** A DatagramSocket whose traffic suffers the profile's faults; `counters` tells what was done. */
export class FaultySocket implements DatagramSocket {
  readonly sendCounters: FaultCounters;
  readonly receiveCounters: FaultCounters;
  private readonly outbound: FaultyPipe<{ data: Uint8Array; to: Address }>;
  private readonly inbound: FaultyPipe<{ data: Buffer; from: Address }>;
  private listener: DatagramListener = () => {};

  constructor(private readonly inner: DatagramSocket, profile: FaultProfile) {
    const random = seededRandom(profile.seed);
    const hold = profile.maxHoldMs ?? 200;
    this.outbound = new FaultyPipe(profile.send ?? {}, random, hold, ({ data, to }) => {
      inner.send(data, to).catch(() => {}); // a late datagram has no one left to tell
    });
    this.inbound = new FaultyPipe(profile.receive ?? {}, random, hold, ({ data, from }) => this.listener(data, from));
    this.sendCounters = this.outbound.counters;
    this.receiveCounters = this.inbound.counters;
    inner.onMessage((data, from) => this.inbound.push({ data, from }));
  }

  get port(): number {
    return this.inner.port;
  }

  send(data: Uint8Array, to: Address): Promise<void> {
    // Copy: the caller may reuse its buffer while the datagram is held.
    this.outbound.push({ data: Uint8Array.from(data), to });
    return Promise.resolve();
  }

  onMessage(listener: DatagramListener): void {
    this.listener = listener;
  }

  close(): Promise<void> {
    this.outbound.close();
    this.inbound.close();
    return this.inner.close();
  }
}
