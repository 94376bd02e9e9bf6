// The durable ledger on LMDB (lmdb-js). One LMDB record per ledger key: the key's
// codec bytes -> its records, encoded by our codec (keys.ts). Each operation is a
// read-modify-write in one LMDB write transaction, and its promise resolves only once
// that transaction is committed AND flushed to disk (lmdb-js's overlapping sync
// commits first and syncs after, so we also await `db.flushed`). Operations issued in
// the same event turn share one transaction and one sync.
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Term } from '../term/types.js';
import { BaseLedger, type Slot } from './base.js';
import { HASHED_PREFIX, recordsBytes, recordsFrom, type StoredKey } from './keys.js';
import { lockLedgerDir } from './dir-lock.js';
import { LedgerError, type LedgerOptions } from './ledger.js';
import { unconfirmedRecord, type Outcome, type Records } from './semantics.js';

export interface LmdbLedgerOptions extends LedgerOptions {
  /** Open without writing (another process may write). Updates then reject. */
  readOnly?: boolean;
}

/** The LMDB sub-database holding the ledger; the version is part of the name. */
const DB_NAME = 'paxos-ledger-v1';
/**
 * The index of keys whose newest record is pending (RecordStore.pendingKeys): storage
 * id -> one byte, written in the same transaction as the record, so a restart finds
 * them without a scan of every key.
 */
const PENDING_DB = 'paxos-pending-v1';
/** Markers: PENDING_MARK says the pending index covers the whole ledger (it was built or kept since creation). */
const META_DB = 'paxos-meta-v1';
const PENDING_MARK = Buffer.from('pending-index-v1');
const ONE = Buffer.from([1]);

export class LmdbLedger extends BaseLedger {
  private constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    private readonly db: Database<Buffer, Buffer>,
    private readonly pending: Database<Buffer, Buffer>,
    private readonly meta: Database<Buffer, Buffer>,
    options: LmdbLedgerOptions,
    private readonly unlock: () => void,
  ) {
    super(options);
    this.readOnly = options.readOnly ?? false;
    if (!this.readOnly && meta.get(PENDING_MARK) === undefined) this.buildPendingIndex();
  }

  /** A ledger written before the pending index existed: index it once. */
  private buildPendingIndex(): void {
    this.db.transactionSync(() => {
      for (const { key, value } of this.db.getRange({})) {
        if (unconfirmedRecord(recordsFrom(key, value).recs)) this.pending.putSync(Buffer.from(key), ONE);
      }
      this.meta.putSync(PENDING_MARK, ONE);
    });
  }

  private readonly readOnly: boolean;

  private writable(): void {
    if (this.readOnly) throw new LedgerError('ledger opened read-only');
  }

  /** Open (creating if needed) the ledger in directory `path`; a writer locks it (dir-lock.ts). */
  static open(path: string, options: LmdbLedgerOptions = {}): LmdbLedger {
    const readOnly = options.readOnly ?? false;
    let unlock = (): void => {};
    if (!readOnly) {
      mkdirSync(path, { recursive: true });
      unlock = lockLedgerDir(path);
    }
    try {
      const root = open<Buffer, Buffer>(path, {
        encoding: 'binary',
        keyEncoding: 'binary',
        maxDbs: 4,
        noSubdir: false, // `path` is a directory even if its name has a dot
        readOnly,
      });
      const sub = (name: string): Database<Buffer, Buffer> => root.openDB<Buffer, Buffer>({ name, encoding: 'binary', keyEncoding: 'binary' });
      return new LmdbLedger(root, sub(DB_NAME), sub(PENDING_DB), sub(META_DB), options, unlock);
    } catch (e) {
      unlock();
      throw e;
    }
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

  protected *iterate(): Iterable<Slot> {
    this.db.resetReadTxn();
    for (const { key, value } of this.db.getRange({})) yield recordsFrom(key, value);
  }

  pendingKeys(): Iterable<Term> {
    this.db.resetReadTxn();
    if (this.meta.get(PENDING_MARK) === undefined) { // read-only, on a ledger never indexed
      return [...this.iterate()].filter((s) => unconfirmedRecord(s.recs)).map((s) => s.key);
    }
    const out: Term[] = [];
    for (const id of this.pending.getKeys({})) {
      const v = this.db.get(id);
      if (v !== undefined) out.push(recordsFrom(id, v).key);
    }
    return out;
  }

  count(): number {
    this.db.resetReadTxn();
    return (this.db.getStats() as { entryCount: number }).entryCount;
  }

  protected async change(sk: StoredKey, key: Term, fn: (recs: Records) => Outcome): Promise<boolean> {
    this.writable();
    const ok = await this.db.transaction(() => {
      const cur = this.db.get(sk.id);
      const o = fn(cur === undefined ? [] : recordsFrom(sk.id, cur).recs);
      if (o.next !== undefined) this.putSlot(sk.id, key, o.next, sk.hashed);
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
      for (const [id, key, next] of changes) this.putSlot(id, key, next, id[0] === HASHED_PREFIX);
    });
    await this.db.flushed;
  }

  private putSlot(id: Buffer, key: Term, recs: Records, hashed: boolean): void {
    if (recs.length === 0) this.db.remove(id);
    else this.db.put(id, recordsBytes(key, recs, hashed));
    if (recs.length > 0 && unconfirmedRecord(recs)) this.pending.put(id, ONE);
    else this.pending.remove(id);
  }

  /**
   * Copy the whole LMDB environment, as of one read transaction, into directory `dest`
   * (created if needed; it must not hold a data.mdb). Safe while this or another process
   * writes (mdb_env_copy); `compact` drops free pages (slower, smaller).
   */
  async backup(dest: string, compact = false): Promise<void> {
    mkdirSync(dest, { recursive: true });
    await this.root.backup(dest, compact);
  }

  protected async release(): Promise<void> {
    try {
      if (!this.readOnly) await this.db.flushed;
      await this.root.close();
    } finally {
      this.unlock();
    }
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
