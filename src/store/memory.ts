// The in-memory ledger: SWI's default (paxons_ledger/4 clauses), lost on exit.
import type { Term } from '../term/types.js';
import { BaseLedger, type Slot } from './base.js';
import { HASHED_PREFIX, type StoredKey } from './keys.js';
import type { LedgerOptions } from './ledger.js';
import { unconfirmedRecord, type Outcome, type Records } from './semantics.js';

export class MemoryLedger extends BaseLedger {
  /** Storage id (codec bytes as a latin1 string) -> slot. Slots are replaced, never mutated. */
  private readonly slots = new Map<string, Slot>();
  // change() runs to completion before its promise is made: see Ledger.immediate.
  readonly immediate = true;

  constructor(options: LedgerOptions = {}) {
    super(options);
  }

  protected readSlot(id: Buffer): Slot | undefined {
    return this.slots.get(id.toString('latin1'));
  }

  protected snapshot(prefix: Buffer | undefined): Slot[] {
    if (prefix === undefined) return [...this.slots.values()];
    const p = prefix.toString('latin1');
    const hashed = String.fromCharCode(HASHED_PREFIX);
    const out: Slot[] = [];
    for (const [id, s] of this.slots) if (id.startsWith(p) || id.startsWith(hashed)) out.push(s);
    return out;
  }

  protected iterate(): Iterable<Slot> {
    return [...this.slots.values()];
  }

  *pendingKeys(): Iterable<Term> {
    for (const s of [...this.slots.values()]) if (unconfirmedRecord(s.recs)) yield s.key;
  }

  count(): number {
    return this.slots.size;
  }

  protected async change(sk: StoredKey, key: Term, fn: (recs: Records) => Outcome): Promise<boolean> {
    const id = sk.id.toString('latin1');
    const old = this.slots.get(id);
    const o = fn(old?.recs ?? []);
    if (o.next !== undefined) this.put(id, old?.key ?? key, o.next);
    return o.ok;
  }

  protected async changeAll(fn: (slot: Slot) => Records | undefined): Promise<void> {
    for (const [id, s] of [...this.slots]) {
      const next = fn(s);
      if (next !== undefined) this.put(id, s.key, next);
    }
  }

  private put(id: string, key: Term, recs: Records): void {
    if (recs.length === 0) this.slots.delete(id);
    else this.slots.set(id, { key, recs });
  }

  protected async release(): Promise<void> {
    this.slots.clear();
  }
}
