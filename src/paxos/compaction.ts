// Compaction of delete tombstones (docs/paxos-departures.md "Compaction"). The pure
// parts: the two reserved keys, their values, and which tombstones may go. The
// machine runs the rounds (machine.ts, compactOp and epochCheckOp).
//
// - '$paxos_compaction' (cluster, agreed by paxos set): compaction(Epoch, Quorum, Since).
//   Epoch is above every generation any node compacted; Quorum the voting members
//   that held every tombstone of the round that set it; Since the epoch before that
//   round. A node clean up to Since and in Quorum is clean up to Epoch; any other may
//   hold an old value of a compacted key: before it votes it drops its data.
// - '$paxos_compacted' (local, never replicated): compacted(Floor, Epoch, Count).
//   Floor: above every generation this node compacted or saw as a cluster epoch; its
//   prepare answers and ballots stay above it, and it refuses to learn a record below
//   it for a key it holds nothing of (such a record may be an old value of a compacted
//   key) unless a quorum read shows it chosen. Epoch: the last cluster epoch it
//   adopted as a member of that epoch's Quorum (its data is clean up to there).
import { atom, compound, int } from '../term/build.js';
import type { Term } from '../term/types.js';
import type { Entry } from '../store/ledger.js';
import { type Bitmap, has } from './bits.js';
import type { Gen } from './messages.js';
import { isTombstone } from './tombstone.js';

export const COMPACTION_KEY: Term = atom('$paxos_compaction');
export const COMPACTED_KEY: Term = atom('$paxos_compacted');

export interface ClusterEpoch { readonly epoch: number; readonly quorum: Bitmap; readonly since: number }
export interface LocalCompaction { readonly floor: number; readonly epoch: number; readonly count: number }

export const NO_EPOCH: ClusterEpoch = Object.freeze({ epoch: 0, quorum: 0n, since: 0 });
export const NO_COMPACTION: LocalCompaction = Object.freeze({ floor: 0, epoch: 0, count: 0 });

const natural = (t: Term | undefined): number | undefined =>
  t?.kind === 'int' && typeof t.value === 'number' && Number.isSafeInteger(t.value) && t.value >= 0 ? t.value : undefined;
const bitmap = (t: Term | undefined): Bitmap | undefined =>
  t?.kind === 'int' && BigInt(t.value) >= 0n ? BigInt(t.value) : undefined;

export function clusterEpochTerm(e: ClusterEpoch): Term {
  return compound('compaction', int(e.epoch), int(e.quorum), int(e.since));
}

/** The cluster epoch a value of '$paxos_compaction' holds; undefined for anything else. */
export function parseClusterEpoch(t: Term): ClusterEpoch | undefined {
  if (t.kind !== 'compound' || t.name !== 'compaction' || t.args.length !== 3) return undefined;
  const epoch = natural(t.args[0]);
  const quorum = bitmap(t.args[1]);
  const since = natural(t.args[2]);
  return epoch === undefined || quorum === undefined || since === undefined || since > epoch ? undefined : { epoch, quorum, since };
}

export function localTerm(l: LocalCompaction): Term {
  return compound('compacted', int(l.floor), int(l.epoch), int(l.count));
}

export function parseLocal(t: Term | undefined): LocalCompaction | undefined {
  if (t?.kind !== 'compound' || t.name !== 'compacted' || t.args.length !== 3) return undefined;
  const [floor, epoch, count] = t.args.map(natural);
  return floor === undefined || epoch === undefined || count === undefined ? undefined : { floor, epoch, count };
}

/**
 * A key's records allow its compaction: the newest record is a valid tombstone whose
 * holders name every voting member. Returns the tombstone's generation, else undefined.
 */
export function compactableGen(recs: readonly Entry[], quorum: Bitmap): Gen | undefined {
  let newest: Entry | undefined;
  for (const r of recs) if (!newest || r.gen > newest.gen) newest = r;
  if (!newest || typeof newest.holders !== 'bigint' || !isTombstone(newest.value)) return undefined;
  return (quorum & ~newest.holders) === 0n ? newest.gen : undefined;
}

/** Whether a node's data is trusted under cluster epoch `e`: it adopted it, or was clean before its round and a member of it. */
export function cleanUnder(local: LocalCompaction, e: ClusterEpoch, node: number): boolean {
  return e.epoch <= local.epoch || (has(e.quorum, node) && local.epoch >= e.since);
}
