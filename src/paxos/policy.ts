// Which rules a node follows. SWI_POLICY reproduces paxos.pl 9.0.4 rule by rule,
// including its defects, so simulations can show each defect and that OUR_POLICY
// does not have it. Every field names one departure (docs/paxos-departures.md).
import type { LedgerRules } from './ledger-view.js';

export interface Policy {
  readonly name: 'swi' | 'ours';
  /** Ledger rules (prepare/accept/changed/learn), defects 1 and wrong-value holders. */
  readonly ledger: LedgerRules;
  /** 'succ': highest generation + 1 (SWI). 'unique': ordered ballots unique per node (defect 9). */
  readonly ballot: 'succ' | 'unique';
  /** Randomized exponential backoff between set attempts (defect 9). */
  readonly backoff: boolean;
  /** 'inverted': dead when NewScore < death_score (SWI, defect 2); 'decay': dead when >= death_score. */
  readonly deathTest: 'inverted' | 'decay';
  /** Membership updates give up after max_membership_sets attempts (defect 2, livelock). */
  readonly boundedLeave: boolean;
  /** 'swi': paxos_get as paxos.pl (defect 3); 'majority': value only on a majority at one generation. */
  readonly get: 'swi' | 'majority';
  /** Wake the replicator on membership changes and forget/1, and push to rejoining nodes (defect 4). */
  readonly catchUp: boolean;
  /** Join: early round end, claim must be answered by every known node, retry with jitter (defects 5, 10). */
  readonly carefulJoin: boolean;
  /** Periodic membership check: adopt newer admin keys, re-add self (defect 6). */
  readonly membershipCheck: boolean;
  /** Release dead ids after dead_release seconds (defect 7). */
  readonly releaseDead: boolean;
  /** Do not serve a local value known to be superseded (defect 6). */
  readonly guardStale: boolean;
  /** A proposer whose own last ballot for a key is that key's newest record, and confirmed, skips prepare (departure 11). */
  readonly skipPrepare: boolean;
  /** A set is answered once a majority accepted; changed/4 follows when the round ends (departure 12). */
  readonly decideAtMajority: boolean;
  /**
   * A set takes effect at most once (departure 13): a nack does not end the accept
   * round, a majority of accepts is chosen whatever else arrives, a ballot is retried
   * only when a majority refused it, and a round that ends undecided is resolved by
   * resending its accept, else reported as of unknown outcome, never retried.
   */
  readonly atMostOnce: boolean;
  /**
   * A node that hears from no running member at start-up takes its quorum from its own
   * ledger (the newest `'$paxos_quorum'` it holds), not {itself} (departure 14): a
   * restarted member never forms a majority alone.
   */
  readonly durableQuorum: boolean;
  /**
   * paxos.pl removes a member from the quorum once its failure score says it is dead.
   * Ours never changes the membership on its own (departure 15): two such removals
   * made by different sides of a partition leave views whose majorities do not meet.
   * A failed member is only not waited for; an operator removes one (removeMember).
   */
  readonly evictDead: boolean;
  /**
   * Learners (docs/learners.md): nodes that follow the quorum without voting. A node
   * with this rule keeps `'$paxos_learners'` as a membership key, pushes catch-up
   * replication to the learners it names, and can run as one. paxos.pl has no
   * learners: it stores that key as an ordinary one and replicates to members only.
   */
  readonly learners: boolean;
  /**
   * Departure 17 (docs/paxos-departures.md): tell our members from SWI's and distrust
   * what SWI reports. A quorum read counts an SWI member's report (its newest confirmed
   * record) as no proof that it holds nothing newer; a set counts SWI nacks as no
   * refusal; changed/4 reaches SWI acceptors at once.
   */
  readonly swiAware: boolean;
}

export const SWI_POLICY: Policy = Object.freeze({
  name: 'swi',
  ledger: 'swi',
  ballot: 'succ',
  backoff: false,
  deathTest: 'inverted',
  boundedLeave: false,
  get: 'swi',
  catchUp: false,
  carefulJoin: false,
  membershipCheck: false,
  releaseDead: false,
  guardStale: false,
  skipPrepare: false,
  decideAtMajority: false,
  atMostOnce: false,
  durableQuorum: false,
  evictDead: true,
  learners: false,
  swiAware: false,
});

export const OUR_POLICY: Policy = Object.freeze({
  name: 'ours',
  ledger: 'ours',
  ballot: 'unique',
  backoff: true,
  deathTest: 'decay',
  boundedLeave: true,
  get: 'majority',
  catchUp: true,
  carefulJoin: true,
  membershipCheck: true,
  releaseDead: true,
  guardStale: true,
  skipPrepare: true,
  decideAtMajority: true,
  atMostOnce: true,
  durableQuorum: true,
  evictDead: false,
  learners: true,
  swiAware: true,
});

/** Bits below the round in a unique ballot: 1 zero bit + 10 bits of node id (ids 0..1000). */
export const BALLOT_SHIFT = 11;
const ROUND = 2 ** BALLOT_SHIFT;

/**
 * A generation greater than `above`, unique to `node`: round * 2^11 + node * 2. It
 * is even, so an SWI proposer's `max + 1` over it is odd and can never equal one of
 * our ballots; two of our nodes never pick the same one.
 */
export function uniqueBallot(above: number, node: number): number {
  const round = Math.floor(above / ROUND) + 1;
  return round * ROUND + node * 2;
}
