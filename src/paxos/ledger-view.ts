// The machine's view of the node's ledger.
//
// Design: protocol decisions need ledger answers synchronously (an acceptor answers
// `accept` from what it holds now), while durable writes are async. The view is the
// authority while the machine runs, and every change is journalled (`LedgerOp`: the
// key's whole new records) for the runtime to write to the store, in order.
//
// Two modes:
//  - In memory (no store: the simulator, a node without a ledger): the view holds
//    every record itself; a restart passes them in through load().
//  - Over a RecordStore (src/store/ledger.ts; the node's LMDB ledger): nothing is
//    loaded at start. Records are read from the store on demand (lmdb-js reads are
//    synchronous) through a cache bounded to `cacheKeys` keys; a change stays in an
//    overlay until its write is durable (durable()), then the store answers for it.
//    Two small indexes replace scans of every key: the keys whose newest record is
//    pending (from the store's own index at start: restart safety needs no load, as
//    a pending record is read from the store when its key is next touched) and the
//    keys whose holders lack a node (what the replicator pushes). Memory is then
//    bounded by the cache and by the writes in flight, not by the key count.
// The records per key are SWI's clause list, newest first.
//
// Two rule sets (see docs/paxos-departures.md):
//  - 'swi': paxos.pl's ledger_* predicates exactly (via src/store/semantics.ts).
//  - 'ours': prepare reports the newest generation of any record, accept compares
//    against that, changed/learned install the announced value when the record is
//    missing or differs, learn compares against the newest *valid* record.
import { equalTerms, termKey } from '../term/equal.js';
import type { Term } from '../term/types.js';
import { type Entry, type KeyRecords, type RecordStore, type ValidEntry, isValidHolders } from '../store/ledger.js';
import { clearedHolders, firstValid, opAccept, opCreate, opLearn, opSetHolders, unconfirmedRecord, type Records } from '../store/semantics.js';
import type { Bitmap } from './bits.js';
import type { Gen } from './messages.js';

export type LedgerRules = 'swi' | 'ours';

// A set looks its key up a dozen times (ledger reads, ballots, changed/4), always
// the same immutable Term object: its termKey is computed once.
const keyTexts = new WeakMap<Term, string>();

/** termKey, remembered per key object. */
export function keyText(key: Term): string {
  let k = keyTexts.get(key);
  if (k === undefined) { k = termKey(key); keyTexts.set(key, k); }
  return k;
}

/** A change to write to the store: a key's whole new records ([] removes it), or holders cleared everywhere. */
export type LedgerOp =
  | { readonly op: 'put'; readonly key: Term; readonly recs: Records }
  | { readonly op: 'forgetNodes'; readonly nodes: Bitmap };

/** Keys whose records the view keeps in its cache when it reads from a store. */
export const DEFAULT_CACHE_KEYS = 20_000;
/** Beyond this many keys lacking a node (a new member to catch up), the replicator scans instead of indexing. */
const LACKING_CAP = 100_000;

/** `after`: the last forget issued before the key's latest write (whose records already reflect it). */
interface Pending { readonly key: Term; recs: Records; inflight: number; after: number }

export class LedgerView {
  /** In memory: every key's records. Unused over a store. */
  private readonly keys = new Map<string, Records>();
  readonly journal: LedgerOp[] = [];
  /** Every record that became valid: (key, gen, value). Used by the simulator's safety checker. */
  onValid: ((e: ValidEntry) => void) | undefined;

  // Over a store only:
  /** Changes whose write is not durable yet, by key. */
  private readonly overlay = new Map<string, Pending>();
  /** Records as the store holds them, least recently used first. */
  private readonly cache = new Map<string, KeyRecords>();
  /** Nodes being forgotten (forgetNodes written, not durable yet): cleared from what the store still answers. */
  private readonly forgetting: { readonly nodes: Bitmap; readonly seq: number }[] = [];
  private forgetSeq = 0;
  /** While forgets are in flight: keys whose store record was written after forget `seq` (those masks do not apply). */
  private readonly writtenAfter = new Map<string, number>();
  /** Keys whose newest record is pending. */
  private readonly unsettled = new Map<string, Term>();
  /** Keys whose newest valid record's holders lack a node of `lackMask`; undefined: unknown (scan). */
  private lackIndex: Map<string, Term> | undefined;
  private lackMask: Bitmap = 0n;

  constructor(
    readonly rules: LedgerRules,
    private readonly clock: () => number,
    private readonly store?: RecordStore,
    private readonly cacheKeys = DEFAULT_CACHE_KEYS,
  ) {
    if (store) for (const k of store.pendingKeys()) this.unsettled.set(keyText(k), k);
  }

  /** Load a record from durable storage (start-up, in memory), valid or pending; records come newest first. */
  load(e: Entry): void {
    if (this.store) throw new Error('a view over a store reads it on demand');
    const k = keyText(e.key);
    const recs = this.keys.get(k) ?? [];
    this.keys.set(k, [...recs, e]);
  }

  /** `use`: the key is being worked on, so it is kept in (or moved to the end of) the cache. */
  private recs(key: Term, use = true): Records {
    const k = keyText(key);
    if (!this.store) return this.keys.get(k) ?? [];
    const o = this.overlay.get(k);
    if (o) return o.recs;
    const c = this.cache.get(k);
    if (c) {
      if (use) {
        this.cache.delete(k);
        this.cache.set(k, c);
      }
      return c.recs;
    }
    const recs = this.stored(k, this.store.read(key));
    if (use) this.remember(k, { key, recs });
    return recs;
  }

  /** What the store answers, with the holders of forgets in flight cleared. */
  private stored(k: string, recs: Records): Records {
    const after = this.writtenAfter.get(k) ?? 0;
    for (const f of this.forgetting) if (f.seq > after) recs = clearedHolders(recs, f.nodes) ?? recs;
    return recs;
  }

  private remember(k: string, s: KeyRecords): void {
    if (this.cacheKeys <= 0) return;
    this.cache.set(k, s);
    if (this.cache.size > this.cacheKeys) this.cache.delete(this.cache.keys().next().value!);
  }

  private put(key: Term, next: Records): void {
    const k = keyText(key);
    if (!this.store) {
      if (next.length === 0) this.keys.delete(k);
      else this.keys.set(k, next);
    } else {
      const o = this.overlay.get(k);
      if (o) { o.recs = next; o.inflight++; o.after = this.forgetSeq; } else this.overlay.set(k, { key, recs: next, inflight: 1, after: this.forgetSeq });
      this.cache.delete(k);
      if (unconfirmedRecord(next)) this.unsettled.set(k, key);
      else this.unsettled.delete(k);
      if (this.lackIndex) {
        const v = firstValid(next);
        if (v && (this.lackMask & ~v.holders) !== 0n) this.lackIndex.set(k, key);
        else this.lackIndex.delete(k);
      }
      this.journal.push({ op: 'put', key, recs: next });
    }
    if (this.onValid) {
      const v = firstValid(next);
      if (v) this.onValid(v);
    }
  }

  /** Over a store: these ops (from drain()) were written, durably or not at all; the store answers for them now. */
  durable(ops: readonly LedgerOp[]): void {
    for (const op of ops) {
      if (op.op === 'forgetNodes') {
        const i = this.forgetting.findIndex((f) => f.nodes === op.nodes);
        if (i >= 0) this.forgetting.splice(i, 1);
        if (this.forgetting.length === 0) this.writtenAfter.clear();
        continue;
      }
      const k = keyText(op.key);
      const o = this.overlay.get(k);
      if (!o || --o.inflight > 0) continue;
      this.overlay.delete(k);
      if (this.forgetting.length > 0) this.writtenAfter.set(k, o.after);
      // A write that failed left the store as it was: read it again from there.
      this.cache.delete(k);
    }
  }

  /** Every key and its records: the store's, under the overlay. A scan: for rare uses only. */
  private *slots(): Iterable<KeyRecords> {
    if (!this.store) {
      for (const recs of this.keys.values()) if (recs.length > 0) yield { key: recs[0]!.key, recs };
      return;
    }
    // The overlay and the forget masks as they are now: the scan may be consumed while they change.
    const overlay = new Map([...this.overlay].map(([k, o]) => [k, o.recs] as const));
    const masked = this.forgetting.length > 0;
    const listed = new Set<string>();
    for (const s of this.store.scan()) {
      const k = overlay.size > 0 || masked ? keyText(s.key) : '';
      if (overlay.size > 0) {
        const o = overlay.get(k);
        if (o) {
          listed.add(k);
          if (o.length > 0) yield { key: s.key, recs: o };
          continue;
        }
      }
      yield { key: s.key, recs: masked ? this.stored(k, s.recs) : s.recs };
    }
    for (const [k, recs] of overlay) if (!listed.has(k) && recs.length > 0) yield { key: recs[0]!.key, recs };
  }

  private now(): number {
    return this.clock() / 1000;
  }

  /** ledger/3: newest valid record. */
  read(key: Term): ValidEntry | undefined {
    return firstValid(this.recs(key));
  }

  /** Newest generation of any record (valid or pending), 0 if none. */
  newestGen(key: Term): Gen {
    let g = 0;
    for (const r of this.recs(key)) if (r.gen > g) g = r.gen;
    return g;
  }

  /** The record with the newest generation, valid or not (an accepted write not yet confirmed). */
  newest(key: Term): Entry | undefined {
    let best: Entry | undefined;
    for (const r of this.recs(key)) if (r.gen > 0 && (!best || r.gen > best.gen)) best = r;
    return best;
  }

  /** Keys whose newest record is not valid: accepted writes never confirmed here (changed/4 lost). */
  *unconfirmed(): Iterable<{ key: Term; gen: Gen; at: number }> {
    const all = this.store ? [...this.unsettled.values()].map((k) => this.recs(k)) : this.keys.values();
    for (const recs of all) {
      const best = unconfirmedRecord(recs);
      if (best && !isValidHolders(best.holders)) yield { key: best.key, gen: best.gen, at: best.holders.at * 1000 };
    }
  }

  /** True when a record newer than the newest valid one exists (an accepted write not yet confirmed). */
  superseded(key: Term): boolean {
    const v = this.read(key);
    return v !== undefined && this.newestGen(key) > v.gen;
  }

  entries(key: Term): Records {
    return this.recs(key);
  }

  /** As entries(), for a pass over every key: leaves the cache as it was (a scan would evict the working set). */
  peek(key: Term): Records {
    return this.recs(key, false);
  }

  /** ledger_current/4: all valid records. */
  *current(): Iterable<ValidEntry> {
    for (const { recs } of this.slots()) for (const r of recs) if (isValidHolders(r.holders)) yield r as ValidEntry;
  }

  /** Every record, valid or pending, each key's newest first (what a durable ledger keeps). */
  *records(): Iterable<Entry> {
    for (const { recs } of this.slots()) yield* recs;
  }

  /** Every key with its records (pending-only keys too). */
  *latestAny(): Iterable<KeyRecords> {
    yield* this.slots();
  }

  /** Newest valid record of every key. */
  *latest(): Iterable<ValidEntry> {
    for (const { recs } of this.slots()) {
      const v = firstValid(recs);
      if (v) yield v;
    }
  }

  /**
   * The newest valid records whose holders lack a node of `nodes` (what the replicator
   * pushes). Over a store, from an index of such keys kept as records change; a scan
   * only when `nodes` has a node the index was not built for, or too many keys lack one.
   */
  *lacking(nodes: Bitmap): Iterable<ValidEntry> {
    if (this.store && this.lackIndex && (nodes & ~this.lackMask) === 0n) {
      for (const [k, key] of this.lackIndex) {
        const v = firstValid(this.recs(key));
        if (!v || (this.lackMask & ~v.holders) === 0n) { this.lackIndex.delete(k); continue; }
        if ((nodes & ~v.holders) !== 0n) yield v;
      }
      return;
    }
    let index: Map<string, Term> | undefined = this.store ? new Map() : undefined;
    for (const v of this.latest()) {
      if ((nodes & ~v.holders) === 0n) continue;
      if (index) {
        index.set(keyText(v.key), v.key);
        if (index.size > LACKING_CAP) index = undefined;
      }
      yield v;
    }
    // Complete only if the caller read to the end (a generator left early never gets here).
    this.lackIndex = index;
    this.lackMask = nodes;
  }

  get size(): number {
    if (!this.store) return this.keys.size;
    let n = this.store.count();
    for (const o of this.overlay.values()) n += Number(o.recs.length > 0) - Number(this.store.read(o.key).length > 0);
    return n;
  }

  /** Answer to prepare: the generation to report. SWI creates a gen-0 placeholder when nothing valid exists. */
  prepare(key: Term, value: Term): Gen {
    if (this.rules === 'swi') {
      const v = this.read(key);
      if (v) return v.gen;
      this.put(key, opCreate(this.recs(key), key, 0, value, this.now()).next!);
      return 0;
    }
    return this.newestGen(key);
  }

  /** ledger_update/3 (accept phase); false is a NACK. */
  accept(key: Term, gen: Gen, value: Term): boolean {
    const recs = this.recs(key);
    if (this.rules === 'swi') {
      const o = opAccept(recs, key, gen, value, this.now());
      if (!o.ok) return false;
      this.put(key, o.next!);
      return true;
    }
    const same = recs.find((r) => r.gen === gen);
    if (same) return equalTerms(same.value, value); // a duplicate or retransmitted accept
    if (!(gen > this.newestGen(key))) return false;
    // Keep the newest valid record and pending ones; drop older pending ones.
    const v = firstValid(recs);
    const kept = recs.filter((r) => r === v || r.gen > (v?.gen ?? -1));
    const rec: Entry = { key, gen, value, holders: { status: 'accepted', at: this.now() } };
    this.put(key, [rec, ...kept]);
    return true;
  }

  /** changed/4 and learned/4: ledger_update_holders/3. `value` is the announced value. */
  confirm(key: Term, gen: Gen, value: Term, holders: Bitmap): void {
    const recs = this.recs(key);
    if (this.rules === 'swi') {
      const o = opSetHolders(recs, gen, holders);
      if (o.ok && o.next) {
        this.put(key, o.next);
      }
      return;
    }
    const v = firstValid(recs);
    if (v && v.gen > gen) return; // stale announcement
    const at = recs.find((r) => r.gen === gen);
    if (at && equalTerms(at.value, value)) {
      const o = opSetHolders(recs, gen, holders);
      if (o.ok && o.next) {
        this.put(key, o.next);
      }
      return;
    }
    // We missed the accept (or hold another value at this gen): the announcement is
    // authoritative, as a majority accepted it. Install it; keep newer pending records.
    const newer = recs.filter((r) => r.gen > gen);
    const rec: Entry = { key, gen, value, holders };
    this.put(key, [...newer, rec]);
  }

  /** ledger_learn/3; false is a NACK. */
  learn(key: Term, gen: Gen, value: Term): boolean {
    const recs = this.recs(key);
    if (this.rules === 'swi') {
      const o = opLearn(recs, key, gen, value, this.now());
      if (!o.ok) return false;
      if (o.next) {
        this.put(key, o.next);
      }
      return true;
    }
    const at = recs.find((r) => r.gen === gen);
    if (at) {
      if (equalTerms(at.value, value)) return true;
    }
    const v = firstValid(recs);
    if (v && !(gen > v.gen)) return false;
    const rest = recs.filter((r) => r.gen !== gen);
    const rec: Entry = { key, gen, value, holders: { status: 'learned', at: this.now() } };
    this.put(key, [rec, ...rest]);
    return true;
  }

  /** Replace a key's records outright ([] removes the key): compaction and the local meta record. */
  replace(key: Term, recs: Records): void {
    if (recs.length === 0 && this.recs(key).length === 0) return;
    this.put(key, recs);
  }

  /** ledger_forget/1. */
  forget(nodes: Bitmap): void {
    if (!this.store) {
      for (const [k, recs] of this.keys) {
        const next = clearedHolders(recs, nodes);
        if (next) this.keys.set(k, next);
      }
    } else {
      for (const o of this.overlay.values()) o.recs = clearedHolders(o.recs, nodes) ?? o.recs;
      for (const [k, c] of this.cache) {
        const next = clearedHolders(c.recs, nodes);
        if (next) this.cache.set(k, { key: c.key, recs: next });
      }
      this.forgetting.push({ nodes, seq: ++this.forgetSeq });
      // Every key may lack these nodes now.
      if ((this.lackMask & nodes) !== 0n) this.lackIndex = undefined;
    }
    this.journal.push({ op: 'forgetNodes', nodes });
  }

  drain(): LedgerOp[] {
    return this.journal.splice(0);
  }
}
