// What every backend shares: argument checks, the SWI semantics (semantics.ts),
// enumeration in standard order. A backend supplies reading one key's records,
// a snapshot of all of them, and an atomic (and, if durable, synced) change.
import { compareTerms } from '../term/compare.js';
import type { Term } from '../term/types.js';
import { unifiable } from '../term/unify.js';
import { isGround } from '../term/walk.js';
import { patternPrefix, storedKey, type StoredKey } from './keys.js';
import {
  defaultNow, isValidHolders, LedgerError, type Entry, type KeyRecords, type Ledger, type LedgerOptions, type ValidEntry,
} from './ledger.js';
import {
  checkGen, checkHolders, checkKey, clearedHolders, firstValid, forgottenHolders, opAccept, opCreate, opLearn, opSetHolders,
  type Outcome, type Records,
} from './semantics.js';

/** One key and its records, newest first. */
export type Slot = KeyRecords;

export abstract class BaseLedger implements Ledger {
  protected readonly now: () => number;
  private closed = false;

  constructor(options: LedgerOptions = {}) {
    this.now = options.now ?? defaultNow;
  }

  /** The slot stored under this id, if any (the caller checks the key for hashed ids). */
  protected abstract readSlot(id: Buffer): Slot | undefined;
  /** A consistent snapshot of the slots whose id starts with `prefix` (and of every hashed id). */
  protected abstract snapshot(prefix: Buffer | undefined): Slot[];
  /** Atomically replace one key's records by fn's outcome; resolves after it is durable. */
  protected abstract change(sk: StoredKey, key: Term, fn: (recs: Records) => Outcome): Promise<boolean>;
  /** Atomically rewrite every slot fn returns new records for; resolves after it is durable. */
  protected abstract changeAll(fn: (slot: Slot) => Records | undefined): Promise<void>;
  protected abstract release(): Promise<void>;
  /** Every slot, lazily, in no particular order. */
  protected abstract iterate(): Iterable<Slot>;
  abstract pendingKeys(): Iterable<Term>;
  abstract count(): number;

  private open(): void {
    if (this.closed) throw new LedgerError('ledger is closed');
  }

  private slotOf(key: Term): Slot | undefined {
    const sk = storedKey(key);
    const s = this.readSlot(sk.id);
    if (s !== undefined && sk.hashed && compareTerms(s.key, key) !== 0) {
      throw new LedgerError('ledger key hash collision');
    }
    return s;
  }

  async *current(pattern?: Term): AsyncGenerator<ValidEntry> {
    for (const s of this.matching(pattern)) {
      for (const r of s.recs) if (isValidHolders(r.holders)) yield r as ValidEntry;
    }
  }

  async *records(pattern?: Term): AsyncGenerator<Entry> {
    for (const s of this.matching(pattern)) yield* s.recs;
  }

  /** A snapshot of the slots whose key unifies with pattern, in standard order of keys. */
  private matching(pattern: Term | undefined): Slot[] {
    this.open();
    let slots: Slot[];
    if (pattern !== undefined && isGround(pattern)) {
      const s = this.slotOf(pattern);
      slots = s === undefined ? [] : [s];
    } else {
      slots = this.snapshot(pattern === undefined ? undefined : patternPrefix(pattern));
      if (pattern !== undefined) slots = slots.filter((s) => unifiable(pattern, s.key));
      slots.sort((a, b) => compareTerms(a.key, b.key));
    }
    return slots;
  }

  // ---------------------------------------------------------- RecordStore

  read(key: Term): readonly Entry[] {
    this.open();
    return this.slotOf(key)?.recs ?? [];
  }

  scan(): Iterable<KeyRecords> {
    this.open();
    return this.iterate();
  }

  async write(key: Term, recs: readonly Entry[]): Promise<void> {
    this.open();
    checkKey(key);
    for (const r of recs) {
      checkGen(r.gen);
      if (isValidHolders(r.holders)) checkHolders(r.holders);
    }
    await this.change(storedKey(key), key, () => ({ ok: true, next: recs }));
  }

  async clearHolders(nodes: bigint): Promise<void> {
    this.open();
    checkHolders(nodes);
    await this.changeAll((slot) => clearedHolders(slot.recs, nodes));
  }

  // -------------------------------------------------------- SWI's ledger

  async get(key: Term): Promise<ValidEntry | undefined> {
    this.open();
    const s = this.slotOf(key);
    return s === undefined ? undefined : firstValid(s.recs);
  }

  async entries(key: Term): Promise<Entry[]> {
    this.open();
    const s = this.slotOf(key);
    return s === undefined ? [] : [...s.recs];
  }

  async create(key: Term, gen: number, value: Term): Promise<void> {
    this.open();
    checkKey(key);
    checkGen(gen);
    await this.change(storedKey(key), key, (recs) => opCreate(recs, key, gen, value, this.now()));
  }

  async accept(key: Term, gen: number, value: Term): Promise<boolean> {
    this.open();
    checkKey(key);
    checkGen(gen);
    return this.change(storedKey(key), key, (recs) => opAccept(recs, key, gen, value, this.now()));
  }

  async setHolders(key: Term, gen: number, holders: bigint): Promise<boolean> {
    this.open();
    checkKey(key);
    checkGen(gen);
    checkHolders(holders);
    return this.change(storedKey(key), key, (recs) => opSetHolders(recs, gen, holders));
  }

  async learn(key: Term, gen: number, value: Term): Promise<boolean> {
    this.open();
    checkKey(key);
    checkGen(gen);
    return this.change(storedKey(key), key, (recs) => opLearn(recs, key, gen, value, this.now()));
  }

  async forgetNodes(nodes: bigint): Promise<void> {
    this.open();
    checkHolders(nodes);
    await this.changeAll((slot) => {
      // As ledger_forget_threaded/1: for each valid record seen at the start, set its
      // holders without Nodes (through ledger_update_holders, so by generation).
      let recs: Records = slot.recs;
      let changed = false;
      for (const r of slot.recs) {
        if (!isValidHolders(r.holders)) continue;
        const h = forgottenHolders(r.holders, nodes);
        if (h === undefined) continue;
        const o = opSetHolders(recs, r.gen, h);
        if (o.next !== undefined) { recs = o.next; changed = true; }
      }
      return changed ? recs : undefined;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}
