// The node's metrics in Prometheus' text format (prom-client), for GET /metrics.
// Call outcomes and latencies are observed as they happen (PaxosNode's observer);
// everything else is read from the node's and the transport's own counters when
// Prometheus scrapes, so the hot paths only bump plain numbers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeObserver, PaxosNode } from '../paxos/node.js';
import { AUTH_DROP_REASONS, type AuthDropReason, type Transport, type TransportCounters } from '../transport/index.js';

/** Transport counters that are drops, by the `reason` label they get. */
const TRANSPORT_DROPS: readonly [string, keyof TransportCounters][] = [
  ['oversized', 'oversized'], ['out_of_scope', 'outOfScope'], ['malformed', 'malformed'], ['blacklisted', 'blacklisted'],
  ['overloaded', 'overloaded'], ['unknown_reply', 'unknownReplies'], ['skipped_reply', 'skippedReplies'],
];
const AUTH_LABEL: Record<AuthDropReason, string> = {
  unsigned: 'unsigned', badHeader: 'bad_header', unknownKey: 'unknown_key', badMac: 'bad_mac', outOfWindow: 'out_of_window', replayed: 'replayed',
};

export interface NodeMetrics {
  readonly registry: Registry;
  /** Give this to PaxosNode.start. */
  readonly observer: NodeObserver;
  /** Read these once the node runs. */
  attach(node: PaxosNode, transport: Transport): void;
  text(): Promise<{ contentType: string; text: string }>;
}

export function createNodeMetrics(): NodeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let node: PaxosNode | undefined;
  let transport: Transport | undefined;
  const labelled = { registers: [registry] };

  const calls = new Counter({ name: 'paxos_calls_total', help: 'paxos_set and paxos_get calls on this node, by outcome', labelNames: ['op', 'outcome'], ...labelled });
  const latency = new Histogram({
    name: 'paxos_call_duration_seconds', help: 'Duration of set and get calls on this node, by outcome', labelNames: ['op', 'outcome'],
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], ...labelled,
  });
  const observer: NodeObserver = {
    call(op, outcome, ms) {
      calls.inc({ op, outcome });
      latency.observe({ op, outcome }, ms / 1000);
    },
  };

  // Counters kept elsewhere (node, transport): set to their current value at each scrape.
  new Counter({
    name: 'paxos_rounds_total', help: 'Request rounds this node opened, by paxos message', labelNames: ['message'], ...labelled,
    collect() {
      this.reset();
      for (const [m, n] of Object.entries(node?.stats().rounds ?? {})) this.inc({ message: m }, n);
    },
  });
  new Counter({
    name: 'paxos_set_attempts_total', help: 'Attempts of every set (retries and membership sets included)', ...labelled,
    collect() { this.reset(); this.inc(node?.stats().setAttempts ?? 0); },
  });
  new Counter({
    name: 'paxos_set_attempt_results_total', help: 'How set attempts ended: chosen, rejected (a majority refused the ballot), undecided (outcome unknown), prepareFailed', labelNames: ['result'], ...labelled,
    collect() {
      this.reset();
      for (const [r, n] of Object.entries(node?.stats().attempts ?? {})) this.inc({ result: r }, n);
    },
  });
  new Counter({
    name: 'paxos_livelocks_total', help: 'Operations the machine gave up as livelocked', ...labelled,
    collect() { this.reset(); this.inc(node?.stats().livelocks ?? 0); },
  });
  new Counter({
    name: 'paxos_datagrams_in_total', help: 'UDP datagrams received', ...labelled,
    collect() { this.reset(); this.inc(transport?.counters.datagramsIn ?? 0); },
  });
  new Counter({
    name: 'paxos_datagrams_out_total', help: 'UDP datagrams sent (one per peer for a unicast broadcast)', ...labelled,
    collect() { this.reset(); this.inc(transport?.counters.datagramsOut ?? 0); },
  });
  new Counter({
    name: 'paxos_datagrams_dropped_total', help: 'Inbound datagrams dropped, by reason (authentication reasons for authenticated scopes)', labelNames: ['reason'], ...labelled,
    collect() {
      this.reset();
      const t = transport;
      if (!t) return;
      for (const [label, k] of TRANSPORT_DROPS) this.inc({ reason: label }, t.counters[k]);
      const a = t.auth;
      if (a) for (const r of AUTH_DROP_REASONS) this.inc({ reason: AUTH_LABEL[r] }, a.drops[r]);
    },
  });
  new Counter({
    name: 'paxos_transport_errors_total', help: 'Send errors and handler errors of the transport', labelNames: ['kind'], ...labelled,
    collect() {
      this.reset();
      this.inc({ kind: 'send' }, transport?.counters.sendErrors ?? 0);
      this.inc({ kind: 'handler' }, transport?.counters.handlerErrors ?? 0);
    },
  });
  const gauge = (name: string, help: string, read: (n: PaxosNode) => number): void => {
    new Gauge({ name, help, ...labelled, collect() { if (node) this.set(read(node)); } });
  };
  gauge('paxos_quorum_size', 'Members in the quorum', (n) => n.property().quorum.length);
  gauge('paxos_dead_members', 'Members agreed dead', (n) => n.property().dead.length);
  gauge('paxos_failed_members', 'Members that missed recent rounds of this node', (n) => n.property().failed.length);
  gauge('paxos_reachable_members', 'Members heard from recently, this node included (see /health)', (n) => n.health().reachable);
  gauge('paxos_ledger_keys', 'Keys in the ledger (the two membership keys included)', (n) => n.stats().ledgerKeys);
  gauge('paxos_tombstones', 'Delete tombstones in the ledger, as the last compaction pass counted them', (n) => n.stats().tombstones);
  gauge('paxos_compacted_total', 'Delete tombstones removed by compaction on this node', (n) => n.stats().compacted);
  gauge('paxos_replication_backlog', 'Keys the replicator still has to push to members that lack them', (n) => n.stats().replicationBacklog);
  gauge('paxos_up', '1 while the node runs with a reachable majority (GET /health is 200), else 0', (n) => (n.health().ok ? 1 : 0));

  return {
    registry,
    observer,
    attach(n, t) { node = n; transport = t; },
    async text() { return { contentType: registry.contentType, text: await registry.metrics() }; },
  };
}
