// The paxos ledger: what one node remembers about each key. Modelled exactly on the
// STORAGE section of SWI-Prolog's library(paxos) (paxos.pl: paxons_ledger/4 and the
// ledger_* predicates that paxos_ledger_hook/5 replaces).
//
// SWI keeps, per key, a list of clauses `paxons_ledger(Key, Gen, Value, Holders)`,
// newest first (every change is an asserta/1). A key may hold several records at
// once, e.g. a valid value at Gen 4 and a not-yet-confirmed accept at Gen 5. We keep
// the same list, newest first, and every operation below edits it the way the SWI
// predicate named in its comment does, including SWI's quirks (an accept compares
// against the newest record only; a gen-0 placeholder is dropped by the first accept).
//
// Backends (memory.ts, lmdb.ts) implement this one interface; the durable one is the
// default for a node. Every method is async: a durable backend resolves an update's
// promise only after the change is committed and synced to disk.
import type { Term } from '../term/types.js';

/** A record still waiting for the leader's confirmation; `at` is when it was made,
 *  seconds since the epoch as a float, as SWI's get_time/1. */
export interface PendingHolders {
  readonly status: 'created' | 'accepted' | 'learned';
  readonly at: number;
}

/**
 * SWI's Holders argument: an integer bitmap of the node ids that hold the value
 * (the record is *valid*, `valid(Holders) :- integer(Holders)`), or
 * created(Time) / accepted(Time) / learned(Time) while it is pending.
 * Discriminate with `typeof holders === 'bigint'` or isValidHolders().
 */
export type Holders = bigint | PendingHolders;

export function isValidHolders(h: Holders): h is bigint {
  return typeof h === 'bigint';
}

/** One ledger record. `key` is ground; `gen` a non-negative safe integer. */
export interface Entry {
  readonly key: Term;
  readonly gen: number;
  readonly value: Term;
  readonly holders: Holders;
}

/** A record the leader confirmed: what SWI's ledger/3 and ledger_current/4 see. */
export interface ValidEntry extends Entry {
  readonly holders: bigint;
}

/** One key and its records, newest first. */
export interface KeyRecords {
  readonly key: Term;
  readonly recs: readonly Entry[];
}

/**
 * What a paxos node needs from its storage (docs/storage.md "The storage interface"):
 * the interface a third backend implements. The node's machine keeps no copy of the
 * ledger; it reads records from here on demand (through a bounded cache) and writes
 * whole records per key, which it computed itself.
 *
 * - Reads are synchronous (a protocol step decides on them at once) and see every
 *   write whose promise resolved. Writes not resolved yet may or may not be seen:
 *   the node keeps those in its own overlay until they resolve.
 * - Writes take effect in call order, and each promise resolves only once its write
 *   is durable (on disk, for a durable backend) and so are all writes issued before
 *   it. Concurrent writes may, and should, share one sync (group commit). A crash
 *   keeps a prefix of the issued writes, each whole or not at all.
 */
export interface RecordStore {
  /** As Ledger.immediate: writes are applied when the call returns, and nothing is durable. */
  readonly immediate?: boolean;
  /** The key's records, newest first; [] when the key is unknown. */
  read(key: Term): readonly Entry[];
  /** Every key with its records, in no particular order, lazily (a snapshot, for a durable backend). */
  scan(): Iterable<KeyRecords>;
  /**
   * The keys whose newest record (the highest gen above 0) is pending, without a scan
   * of every key: a restarted node settles these (docs/paxos-departures.md "Restart safety").
   */
  pendingKeys(): Iterable<Term>;
  /** How many keys hold records. */
  count(): number;
  /** Replace the key's records (newest first); [] removes the key. Resolves once durable. */
  write(key: Term, recs: readonly Entry[]): Promise<void>;
  /** Clear the `nodes` bits from the holders of every valid record, keeping the order. Resolves once durable. */
  clearHolders(nodes: bigint): Promise<void>;
  /** Release the store; waits for pending writes. */
  close(): Promise<void>;
}

export interface Ledger extends RecordStore {
  /**
   * True when every change is applied by the time its method returns (the promise
   * only reports the outcome) and there is no durability to wait for: an in-memory
   * ledger. The paxos node then mirrors its changes inline instead of queueing them.
   */
  readonly immediate?: boolean;

  /**
   * ledger_current(?Key, -Gen, -Value, -Holders): every valid record, keys in the
   * standard order of terms (compareTerms), a key's records newest first. With a
   * pattern, only keys that unify with it (the pattern's variables are not bound:
   * unify the yielded key yourself if you need the bindings).
   * Iterates a snapshot: changes made while iterating are not seen.
   */
  current(pattern?: Term): AsyncIterable<ValidEntry>;

  /**
   * Beyond SWI: every record at any status (pending ones too), keys in standard
   * order, a key's records newest first; with a pattern, only keys unifying with it.
   * What a restarting node needs to restore its whole acceptor state, including
   * accepts it acknowledged but that were not yet confirmed. Snapshot, as current().
   */
  records(pattern?: Term): AsyncIterable<Entry>;

  /** ledger(+Key, -Gen, -Value): the newest valid record of Key, if any. */
  get(key: Term): Promise<ValidEntry | undefined>;

  /**
   * Beyond SWI: all of Key's records at any status, newest first (SWI's clause
   * order), [] if the key is unknown. entries(key)[0] is the latest record, e.g. a
   * pending accept that get() does not show yet.
   */
  entries(key: Term): Promise<Entry[]>;

  /**
   * ledger_create(+Key, +Gen, +Value): add a created(Now) record. paxos calls it on
   * `prepare` with Gen 0 when get() finds no valid record. Always adds (SWI asserts
   * unconditionally, so a key may get several gen-0 placeholders).
   */
  create(key: Term, gen: number, value: Term): Promise<void>;

  /**
   * ledger_update(+Key, +Gen, +Value), the accept phase: fails (false, a NACK) when
   * the key has no record or Gen is not greater than the newest record's gen.
   * Otherwise adds accepted(Now) and, when that newest record was at gen 0, removes
   * every gen-0 record of the key.
   */
  accept(key: Term, gen: number, value: Term): Promise<boolean>;

  /**
   * ledger_update_holders(+Key, +Gen, +Holders), on `changed` and `learned`: the
   * newest record at Gen gets the holders bitmap, making it valid, and moves to the
   * front; if it was pending, the key's records with an older gen are removed.
   * False when the key has no record at Gen (SWI fails there).
   */
  setHolders(key: Term, gen: number, holders: bigint): Promise<boolean>;

  /**
   * ledger_learn(+Key, +Gen, +Value), replication to a node that missed it: true
   * without change when the newest record has the same gen and an == value; adds a
   * learned(Now) record when the key is unknown or Gen is greater than the newest
   * record's gen; false otherwise.
   */
  learn(key: Term, gen: number, value: Term): Promise<boolean>;

  /**
   * ledger_forget(+Nodes): clear the Nodes bits from the holders of every valid
   * record (through setHolders, as SWI does). SWI runs this in a background thread;
   * here it resolves when done and synced.
   */
  forgetNodes(nodes: bigint): Promise<void>;

  /** Release the store; later calls reject. Waits for pending writes. */
  close(): Promise<void>;
}

export class LedgerError extends Error {
  override name = 'LedgerError';
}

/** Options every backend takes. */
export interface LedgerOptions {
  /** get_time/1: seconds since the epoch (float). Injected for tests. */
  now?: () => number;
}

export const defaultNow = (): number => Date.now() / 1000;
