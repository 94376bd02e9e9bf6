// Deletion (docs/paxos-departures.md, departure 16). paxos.pl has no delete: a key,
// once set, keeps a value. We delete by agreeing, through an ordinary paxos set, on
// a reserved value, the atom '$paxos_deleted'. So a delete has a set's guarantees
// (chosen at most once, at a generation of its own, durable on a majority), SWI peers
// stay wire-compatible (they hold and answer the tombstone as any other atom), and a
// later set of the key simply supersedes it. Our reads answer a tombstoned key as
// absent.
import { atom } from '../term/build.js';
import type { Term } from '../term/types.js';

export const TOMBSTONE_NAME = '$paxos_deleted';
export const TOMBSTONE: Term = atom(TOMBSTONE_NAME);

/** True for the deletion marker. */
export function isTombstone(t: Term): boolean {
  return t.kind === 'atom' && t.name === TOMBSTONE_NAME;
}
