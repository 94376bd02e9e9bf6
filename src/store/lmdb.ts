// The durable ledger on LMDB (lmdb-js). One LMDB record per ledger key: the key's
// codec bytes -> its records, encoded by our codec (keys.ts). Each operation is a
// read-modify-write in one LMDB write transaction, and its promise resolves only once
// that transaction is committed AND flushed to disk (lmdb-js's overlapping sync
// commits first and syncs after, so we also await `db.flushed`). Operations issued in
// the same event turn share one transaction and one sync.
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Term } from '../term/types.js';
import { BaseLedger, type Slot } from './base.js';
import { HASHED_PREFIX, recordsBytes, recordsFrom, type StoredKey } from './keys.js';
import { LedgerError, type LedgerOptions } from './ledger.js';
import type { Outcome, Records } from './semantics.js';

export interface LmdbLedgerOptions extends LedgerOptions {
  /** Open without writing (another process may write). Updates then reject. */
  readOnly?: boolean;
}

/** The LMDB sub-database holding the ledger; the version is part of the name. */
const DB_NAME = 'paxos-ledger-v1';

export class LmdbLedger extends BaseLedger {
  private constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    private readonly db: Database<Buffer, Buffer>,
    options: LmdbLedgerOptions,
  ) {
    super(options);
    this.readOnly = options.readOnly ?? false;
  }

  private readonly readOnly: boolean;

  private writable(): void {
    if (this.readOnly) throw new LedgerError('ledger opened read-only');
  }

  /** Open (creating if needed) the ledger in directory `path`. */
  static open(path: string, options: LmdbLedgerOptions = {}): LmdbLedger {
    const root = open<Buffer, Buffer>(path, {
      encoding: 'binary',
      keyEncoding: 'binary',
      maxDbs: 4,
      noSubdir: false, // `path` is a directory even if its name has a dot
      readOnly: options.readOnly ?? false,
    });
    const db = root.openDB<Buffer, Buffer>({ name: DB_NAME, encoding: 'binary', keyEncoding: 'binary' });
    return new LmdbLedger(root, db, options);
  }

  // Reads start from a fresh snapshot so that they see everything committed before
  // the call, by this process or another one (lmdb-js would otherwise keep the
  // snapshot until its next macrotask, missing other processes' recent commits).
  protected readSlot(id: Buffer): Slot | undefined {
    this.db.resetReadTxn();
    const v = this.db.get(id);
    return v === undefined ? undefined : recordsFrom(id, v);
  }

  protected snapshot(prefix: Buffer | undefined): Slot[] {
    this.db.resetReadTxn();
    const out: Slot[] = [];
    const ranges = prefix === undefined
      ? [{}]
      : [{ start: prefix, end: successor(prefix) }, { start: Buffer.from([HASHED_PREFIX]), end: Buffer.from([HASHED_PREFIX + 1]) }];
    for (const range of ranges) {
      for (const { key, value } of this.db.getRange(range)) out.push(recordsFrom(key, value));
    }
    return out;
  }

  protected async change(sk: StoredKey, key: Term, fn: (recs: Records) => Outcome): Promise<boolean> {
    this.writable();
    const ok = await this.db.transaction(() => {
      const cur = this.db.get(sk.id);
      const o = fn(cur === undefined ? [] : recordsFrom(sk.id, cur).recs);
      if (o.next !== undefined) this.write(sk.id, key, o.next, sk.hashed);
      return o.ok;
    });
    await this.db.flushed;
    return ok;
  }

  protected async changeAll(fn: (slot: Slot) => Records | undefined): Promise<void> {
    this.writable();
    await this.db.transaction(() => {
      const changes: [Buffer, Term, Records][] = [];
      for (const { key: id, value } of this.db.getRange({})) {
        const slot = recordsFrom(id, value);
        const next = fn(slot);
        if (next !== undefined) changes.push([Buffer.from(id), slot.key, next]);
      }
      for (const [id, key, next] of changes) this.write(id, key, next, id[0] === HASHED_PREFIX);
    });
    await this.db.flushed;
  }

  private write(id: Buffer, key: Term, recs: Records, hashed: boolean): void {
    if (recs.length === 0) this.db.remove(id);
    else this.db.put(id, recordsBytes(key, recs, hashed));
  }

  protected async release(): Promise<void> {
    if (!this.readOnly) await this.db.flushed;
    await this.root.close();
  }
}

/** The least byte string greater than every string starting with p. */
function successor(p: Buffer): Buffer {
  let n = p.length;
  while (n > 0 && p[n - 1] === 0xff) n--;
  if (n === 0) return Buffer.from([0xff, 0xff, 0xff, 0xff]); // unreachable: codec prefixes never start 0xff...
  const s = Buffer.from(p.subarray(0, n));
  s[n - 1]! += 1;
  return s;
}
