// The narrow view of a paxos cluster that the CLI, the admin API and the
// express-session store need. Two implementations: a local node (node-cluster.ts,
// a thin adapter over src/paxos/node.ts) and a running node reached over its
// admin API (admin-client.ts). Keeping consumers on this interface lets the
// session store run in-process or against a remote node alike.
import type { Term } from '../term/index.js';
import type { GetOutcome, SetOutcome } from '../paxos/machine.js';

export type { GetOutcome, SetOutcome };

/** A key and its agreed value. */
export interface Entry {
  readonly key: Term;
  readonly value: Term;
}

/** A node's view of its cluster (`prolog-paxos status`). */
export interface ClusterStatus {
  /** This node's id in the quorum bitmaps; null until it has joined. */
  readonly node: number | null;
  readonly scope: string;
  readonly quorum: readonly number[];
  readonly dead: readonly number[];
  readonly failed: readonly number[];
  /** Transport peers as host:port. */
  readonly peers: readonly string[];
  /** Keys held in this node's ledger, paxos's own ('$paxos_quorum', ...) and deleted ones included. */
  readonly ledgerSize: number;
  /** Keys with a value set by users: not deleted, not paxos's own '$paxos_...' keys; absent from nodes that predate it. */
  readonly keys?: number;
  /** voter (a quorum member) or learner (follows without voting); absent from nodes that predate learners. */
  readonly role?: 'voter' | 'learner';
  /** The learners this node knows of ('$paxos_learners'). */
  readonly learners?: readonly number[];
  /** Delete tombstones held (as the last compaction pass counted them) and removed by compaction here. */
  readonly tombstones?: number;
  readonly compacted?: number;
}

/** A node's own view for a load balancer (src/paxos/node.ts NodeHealth). */
export interface ClusterHealth {
  readonly ok: boolean;
  readonly phase: string;
  readonly node: number | undefined;
  readonly quorum: number;
  readonly reachable: number;
  readonly needed: number;
  readonly withinMs: number;
}

/**
 * A paxos cluster as an application sees it, through one node: a node in this process
 * (`startCluster`) or a running node's admin API (`RemoteCluster`). Keys and values are terms.
 */
export interface Cluster {
  /**
   * paxos_set/2: agree on `value` for `key`, both ground (SWI raises an
   * instantiation error for a value with variables). Resolves `{ ok: true }` once
   * chosen; otherwise `{ ok: false, outcome }`: 'rejected' (not chosen, never will be)
   * or 'unknown' (it may have been chosen: read before writing again).
   */
  set(key: Term, value: Term): Promise<SetOutcome>;
  /** Delete `key` (a set of the tombstone, departure 16): the same outcomes as set(); reads then answer absent. */
  delete(key: Term): Promise<SetOutcome>;
  /** paxos_get/2: the agreed value, or undefined when the key is unknown or there is no agreement. */
  get(key: Term): Promise<Term | undefined>;
  /**
   * paxos_get/3 with its outcome: absent (a majority holds no record) and unavailable
   * (no agreement) apart. `quorum`: ask a majority even when a local value exists, so
   * the value is never older than an acknowledged set (a linearizable read).
   */
  read(key: Term, opts?: { readonly quorum?: boolean }): Promise<GetOutcome>;
  /** Entries of the local ledger whose key unifies with `pattern`. */
  keys(pattern: Term): AsyncIterable<Entry>;
  /**
   * Changes agreed from now on whose key unifies with `pattern` (paxos_on_change/3).
   * The iteration ends when `signal` aborts or the cluster closes.
   */
  watch(pattern: Term, signal?: AbortSignal): AsyncIterable<Entry>;
  /** The node's id, role, quorum, failed and dead members, peers and ledger size. */
  status(): Promise<ClusterStatus>;
  /** Prometheus text of the node's metrics; only a node running in this process has them. */
  metrics?(): Promise<{ readonly contentType: string; readonly text: string }>;
  /** Only a node running in this process has it. */
  health?(): ClusterHealth;
  /**
   * Make node `node` (default: this one) a voting member, or a learner
   * (docs/learners.md). Rejects with the reason when it cannot.
   */
  changeRole?(role: 'voter' | 'learner', node?: number): Promise<void>;
  /**
   * Take a member out of the quorum for good (one that will not come back): the failure
   * detector never does (docs/paxos-departures.md, 15). Rejects with the reason.
   */
  removeMember?(node: number): Promise<void>;
  /** Leave the quorum cleanly and release the ledger and transport. */
  close(): Promise<void>;
}

