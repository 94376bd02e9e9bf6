// The Cluster interface over a real paxos node (src/paxos/node.ts) running in this
// process, built from the configured transport (src/transport) and ledger
// (src/store). Kept thin: the protocol is the node's; this wires the pieces, maps
// calls, shapes status, and (with --verbose) logs the protocol traffic.
import { isAdminKey } from '../paxos/machine.js';
import { PaxosNode } from '../paxos/node.js';
import { isTombstone } from '../paxos/tombstone.js';
import type { PaxosTransport } from '../paxos/ports.js';
import { type Ledger, openLedger } from '../store/index.js';
import { type Term, equalTerms, variable } from '../term/index.js';
import {
  type ScopeOptions, type Transport, type UnicastTransport, DEFAULT_MAX_PEERS, address, addressText, openScope, peerExchange,
  prologTextCodec,
} from '../transport/index.js';
import { AsyncQueue } from './async-queue.js';
import type { Cluster, ClusterHealth, ClusterStatus, Entry, GetOutcome, SetOutcome } from './cluster.js';
import type { NodeConfig } from './config.js';
import type { Logger } from './log.js';
import { type NodeMetrics, createNodeMetrics } from './metrics.js';
import { termText } from './term-text.js';

function scopeOptions(c: NodeConfig): ScopeOptions {
  switch (c.method) {
    case 'unicast':
      return { method: 'unicast', scope: c.scope, port: c.port, bindAddress: c.ip, peers: c.peers.map((p) => address(p.host, p.port)) };
    case 'broadcast':
      return { method: 'broadcast', scope: c.scope, port: c.port, ip: c.ip };
    case 'multicast':
      return { method: 'multicast', scope: c.scope, port: c.port, group: c.ip };
  }
}

const isPaxosMessage = (t: Term): boolean => t.kind === 'compound' && t.name === 'paxos' && t.args.length === 1;

/** Start a node as configured: open the transport and the ledger, join the cluster. */
export async function startNodeCluster(config: NodeConfig, log?: Logger): Promise<Cluster> {
  // Unicast: a stranger speaking paxos becomes a peer, and learns ours (src/transport/peer-exchange.ts).
  const exchange = config.method === 'unicast' && !config.fixedPeers
    ? peerExchange({
      accept: isPaxosMessage,
      onPeer: (peer, via) => log?.info({ peer: addressText(peer), via: addressText(via) }, 'peer added'),
      onError: (e) => log?.warn({ err: e }, 'sending peers failed'),
      onFull: (peer) => log?.warn({ peer: addressText(peer), max: DEFAULT_MAX_PEERS }, 'peer table full: newcomer refused'),
    })
    : undefined;
  // The ledger first: a directory held by another node fails before any port is taken.
  const ledger: Ledger = openLedger(config.ledger.kind === 'durable' ? { dir: config.ledger.dir } : { memory: true });
  let transport: Transport;
  try {
    transport = await openScope(scopeOptions(config), {
      onError: (e, context) => log?.warn({ err: e, context }, 'transport error'),
      ...(config.auth && { auth: { keys: config.auth.keys, windowMs: config.auth.windowMs } }),
      ...(exchange && { admitStranger: exchange.admitStranger }),
      codec: prologTextCodec({ wideText: config.wideText }),
    });
  } catch (e) {
    await ledger.close();
    throw e;
  }
  if (exchange) exchange.attach(transport as UnicastTransport);
  const verbose = log?.isLevelEnabled('debug') ? log : undefined;
  const metrics = createNodeMetrics();
  // PaxosNode.start closes the transport and the ledger itself when joining fails.
  const node = await PaxosNode.start({
    transport: verbose ? traced(transport, verbose) : transport,
    ledger,
    settings: config.settings,
    observer: metrics.observer,
    ...(config.nodeId === undefined ? {} : { node: config.nodeId }),
    ...(config.learner && { learner: true }),
    onCompaction: (c) => log?.info(c, c.event === 'compacted'
      ? `compaction removed ${c.count} delete tombstones`
      : `dropped ${c.count} data keys: the cluster compacted tombstones while this node was no member; catching up by replication`),
  });
  metrics.attach(node, transport);
  const listed = transport.method === 'unicast' ? config.peers.map((p) => address(p.host, p.port)).filter((a) => !(transport as UnicastTransport).isSelf(a)) : [];
  const c = transport.counters;
  if (listed.length > 0 && c.accepted + c.joined === 0) {
    log?.warn({ peers: listed.map(addressText), node: node.property().node },
      `no listed peer answered (${listed.map(addressText).join(', ')}): this node runs a cluster of its own; check the addresses and that a peer runs, then restart it`);
  }
  return new NodeCluster(node, transport, ledger, config.scope, metrics);
}

class NodeCluster implements Cluster {
  private readonly watchers = new Set<AsyncQueue<Entry>>();

  constructor(
    private readonly node: PaxosNode,
    private readonly transport: Transport,
    private readonly ledger: Ledger,
    private readonly scope: string,
    private readonly nodeMetrics: NodeMetrics,
  ) {}

  metrics(): Promise<{ contentType: string; text: string }> {
    return this.nodeMetrics.text();
  }

  health(): ClusterHealth {
    return this.node.health();
  }

  set(key: Term, value: Term): Promise<SetOutcome> {
    return this.node.trySet(key, value);
  }

  delete(key: Term): Promise<SetOutcome> {
    return this.node.tryDelete(key);
  }

  read(key: Term, opts: { readonly quorum?: boolean } = {}): Promise<GetOutcome> {
    return this.node.tryGet(key, opts);
  }

  get(key: Term): Promise<Term | undefined> {
    return this.node.get(key);
  }

  /** The local ledger's keys (not the paxos admin keys, which status() reports). */
  async *keys(pattern: Term): AsyncIterable<Entry> {
    let last: Term | undefined;
    for await (const e of this.ledger.current(pattern)) {
      // A key's records come newest first: the first is its current value.
      if (last !== undefined && equalTerms(last, e.key)) continue;
      last = e.key;
      if (!isAdminKey(e.key) && !isTombstone(e.value)) yield { key: e.key, value: e.value };
    }
  }

  watch(pattern: Term, signal?: AbortSignal): AsyncIterable<Entry> {
    let unsubscribe = (): void => {};
    const queue: AsyncQueue<Entry> = new AsyncQueue<Entry>(10_000, () => {
      unsubscribe();
      this.watchers.delete(queue);
    });
    unsubscribe = this.node.onChange(pattern, variable(), (key, value) => {
      if (!isAdminKey(key)) queue.push({ key, value });
    });
    this.watchers.add(queue);
    if (signal?.aborted) queue.end();
    else signal?.addEventListener('abort', () => queue.end(), { once: true });
    return queue;
  }

  async status(): Promise<ClusterStatus> {
    const p = this.node.property();
    let ledgerSize = 0;
    let keys = 0;
    let last: Term | undefined;
    for await (const e of this.ledger.current()) {
      if (last === undefined || !equalTerms(last, e.key)) {
        ledgerSize++;
        // A key's newest record comes first: count it when it holds a value and is not paxos's own.
        if (!isAdminKey(e.key) && !isTombstone(e.value)) keys++;
      }
      last = e.key;
    }
    const peers = this.transport.method === 'unicast' ? (this.transport as UnicastTransport).peers().map(addressText) : [];
    return {
      node: p.node ?? null, scope: this.scope, quorum: p.quorum, dead: p.dead, failed: p.failed, peers, ledgerSize, keys,
      role: p.role, learners: p.learners, tombstones: this.node.stats().tombstones, compacted: this.node.stats().compacted,
    };
  }

  changeRole(role: 'voter' | 'learner', node?: number): Promise<void> {
    const id = node ?? this.node.property().node;
    if (id === undefined) return Promise.reject(new Error('this node has no id yet'));
    return this.node.changeRole(id, role);
  }

  removeMember(node: number): Promise<void> {
    return this.node.removeMember(node);
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.end();
    await this.node.close();
  }
}

/** The transport with its paxos traffic logged at debug level (--verbose). */
function traced(t: Transport, log: Logger): PaxosTransport {
  return {
    ports: t.ports,
    refusal: (term) => t.refusal(term),
    broadcast(term) {
      log.debug({ out: 'send', term: termText(term) }, 'paxos');
      return t.broadcast(term);
    },
    request(term, options) {
      log.debug({ out: 'request', term: termText(term) }, 'paxos');
      const replies = t.request(term, options);
      const next = replies.next.bind(replies);
      replies.next = async () => {
        const r = await next();
        if (!r.done) log.debug({ in: 'reply', from: addressText(r.value.from), term: termText(r.value.term) }, 'paxos');
        return r;
      };
      return replies;
    },
    listen(pattern, handler) {
      return t.listen(pattern, (m) => {
        log.debug({ in: m.kind, from: addressText(m.from), term: termText(m.term) }, 'paxos');
        return handler(m);
      });
    },
    close: () => t.close(),
  };
}
