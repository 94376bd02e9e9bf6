// The machine's in-memory view of the node's ledger.
//
// Design: protocol decisions need ledger answers synchronously (an acceptor answers
// `accept` from what it holds now), while the durable Ledger (src/store) is async.
// So the machine keeps this view as the authority while it runs, and every change is
// also journalled as Ledger operations (`LedgerOp`) that the runtime applies, in
// order, to the durable store. On start the runtime loads all of the durable store's
// records into the view, pending ones too (accepts this node acknowledged are promises). The records per key are SWI's clause list, newest first.
//
// Two rule sets (see docs/paxos-departures.md):
//  - 'swi': paxos.pl's ledger_* predicates exactly (via src/store/semantics.ts).
//  - 'ours': prepare reports the newest generation of any record, accept compares
//    against that, changed/learned install the announced value when the record is
//    missing or differs, learn compares against the newest *valid* record.
import { equalTerms, termKey } from '../term/equal.js';
import type { Term } from '../term/types.js';
import { type Entry, type Holders, type ValidEntry, isValidHolders } from '../store/ledger.js';
import { firstValid, opAccept, opCreate, opLearn, opSetHolders, type Records } from '../store/semantics.js';
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

/** A change to mirror on the durable ledger, named after its Ledger method. */
export type LedgerOp =
  | { readonly op: 'create'; readonly key: Term; readonly gen: Gen; readonly value: Term }
  | { readonly op: 'accept'; readonly key: Term; readonly gen: Gen; readonly value: Term }
  | { readonly op: 'learn'; readonly key: Term; readonly gen: Gen; readonly value: Term }
  | { readonly op: 'setHolders'; readonly key: Term; readonly gen: Gen; readonly holders: Bitmap }
  | { readonly op: 'forgetNodes'; readonly nodes: Bitmap };

export class LedgerView {
  private readonly keys = new Map<string, Records>();
  readonly journal: LedgerOp[] = [];
  /** Every record that became valid: (key, gen, value). Used by the simulator's safety checker. */
  onValid: ((e: ValidEntry) => void) | undefined;

  constructor(readonly rules: LedgerRules, private readonly clock: () => number) {}

  /** Load a record from durable storage (start-up), valid or pending; records come newest first. */
  load(e: Entry): void {
    const k = keyText(e.key);
    const recs = this.keys.get(k) ?? [];
    this.keys.set(k, [...recs, e]);
  }

  private recs(key: Term): Records {
    return this.keys.get(keyText(key)) ?? [];
  }

  private put(key: Term, next: Records): void {
    const k = keyText(key);
    if (next.length === 0) this.keys.delete(k);
    else this.keys.set(k, next);
    if (this.onValid) {
      const v = firstValid(next);
      if (v) this.onValid(v);
    }
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
    for (const recs of this.keys.values()) {
      let best: Entry | undefined;
      for (const r of recs) if (r.gen > 0 && (!best || r.gen > best.gen)) best = r;
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

  /** ledger_current/4: all valid records. */
  *current(): Iterable<ValidEntry> {
    for (const recs of this.keys.values()) for (const r of recs) if (isValidHolders(r.holders)) yield r as ValidEntry;
  }

  /** Every record, valid or pending, each key's newest first (what a durable ledger keeps). */
  *records(): Iterable<Entry> {
    for (const recs of this.keys.values()) yield* recs;
  }

  /** Newest valid record of every key. */
  *latest(): Iterable<ValidEntry> {
    for (const recs of this.keys.values()) {
      const v = firstValid(recs);
      if (v) yield v;
    }
  }

  get size(): number {
    return this.keys.size;
  }

  /** Answer to prepare: the generation to report. SWI creates a gen-0 placeholder when nothing valid exists. */
  prepare(key: Term, value: Term): Gen {
    if (this.rules === 'swi') {
      const v = this.read(key);
      if (v) return v.gen;
      this.put(key, opCreate(this.recs(key), key, 0, value, this.now()).next!);
      this.journal.push({ op: 'create', key, gen: 0, value });
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
      this.journal.push({ op: 'accept', key, gen, value });
      return true;
    }
    const same = recs.find((r) => r.gen === gen);
    if (same) return equalTerms(same.value, value); // a duplicate or retransmitted accept
    if (!(gen > this.newestGen(key))) return false;
    if (recs.length === 0) this.journal.push({ op: 'create', key, gen: 0, value });
    // Keep the newest valid record and pending ones; drop older pending ones.
    const v = firstValid(recs);
    const kept = recs.filter((r) => r === v || r.gen > (v?.gen ?? -1));
    const rec: Entry = { key, gen, value, holders: { status: 'accepted', at: this.now() } };
    this.put(key, [rec, ...kept]);
    this.journal.push({ op: 'accept', key, gen, value });
    return true;
  }

  /** changed/4 and learned/4: ledger_update_holders/3. `value` is the announced value. */
  confirm(key: Term, gen: Gen, value: Term, holders: Bitmap): void {
    const recs = this.recs(key);
    if (this.rules === 'swi') {
      const o = opSetHolders(recs, gen, holders);
      if (o.ok && o.next) {
        this.put(key, o.next);
        this.journal.push({ op: 'setHolders', key, gen, holders });
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
        this.journal.push({ op: 'setHolders', key, gen, holders });
      }
      return;
    }
    // We missed the accept (or hold another value at this gen): the announcement is
    // authoritative, as a majority accepted it. Install it; keep newer pending records.
    const newer = recs.filter((r) => r.gen > gen);
    const rec: Entry = { key, gen, value, holders };
    this.put(key, [...newer, rec]);
    this.journal.push({ op: 'learn', key, gen, value }, { op: 'setHolders', key, gen, holders });
  }

  /** ledger_learn/3; false is a NACK. */
  learn(key: Term, gen: Gen, value: Term): boolean {
    const recs = this.recs(key);
    if (this.rules === 'swi') {
      const o = opLearn(recs, key, gen, value, this.now());
      if (!o.ok) return false;
      if (o.next) {
        this.put(key, o.next);
        this.journal.push({ op: 'learn', key, gen, value });
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
    this.journal.push({ op: 'learn', key, gen, value });
    return true;
  }

  /** ledger_forget/1. */
  forget(nodes: Bitmap): void {
    for (const [k, recs] of this.keys) {
      let changed = false;
      const next = recs.map((r) => {
        if (!isValidHolders(r.holders)) return r;
        const h: Holders = r.holders & ~nodes;
        if (h === r.holders) return r;
        changed = true;
        return { ...r, holders: h };
      });
      if (changed) this.keys.set(k, next);
    }
    this.journal.push({ op: 'forgetNodes', nodes });
  }

  drain(): LedgerOp[] {
    return this.journal.splice(0);
  }
}
