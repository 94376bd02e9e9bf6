// The paxos ledger: one interface (ledger.ts), a durable LMDB backend (the default
// for a node) and an in-memory one.
import type { Ledger, LedgerOptions } from './ledger.js';
import { LmdbLedger, type LmdbLedgerOptions } from './lmdb.js';
import { MemoryLedger } from './memory.js';

export * from './ledger.js';
export { MemoryLedger } from './memory.js';
export { LmdbLedger, type LmdbLedgerOptions } from './lmdb.js';
export { backupLedger } from './backup.js';
export { LedgerLockedError } from './dir-lock.js';

export type LedgerPlace =
  | ({ readonly dir: string } & LmdbLedgerOptions)
  | ({ readonly memory: true } & LedgerOptions);

/** A node's ledger: durable in directory `dir` (the default for a node), or in memory. */
export function openLedger(place: LedgerPlace): Ledger {
  return 'dir' in place ? LmdbLedger.open(place.dir, place) : new MemoryLedger(place);
}
