// A backup of a durable ledger, taken from any process while its node runs: the ledger
// is opened read-only next to the node (LMDB lets readers and one writer share an
// environment) and copied as of one read transaction, so the copy is a ledger the
// node had at one instant, never a torn file. Restoring is starting a node on the copy
// (docs/operations.md says under which id).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from './ledger.js';
import { LmdbLedger } from './lmdb.js';

/** Copy the ledger in directory `dir` into directory `dest`, which must not hold one yet. */
export async function backupLedger(dir: string, dest: string, options: { readonly compact?: boolean } = {}): Promise<void> {
  if (!existsSync(join(dir, 'data.mdb'))) throw new LedgerError(`${dir} holds no ledger (no data.mdb)`);
  if (existsSync(join(dest, 'data.mdb'))) throw new LedgerError(`${dest} already holds a ledger: back up into a new directory`);
  const ledger = LmdbLedger.open(dir, { readOnly: true });
  try {
    await ledger.backup(dest, options.compact ?? false);
  } finally {
    await ledger.close();
  }
}
