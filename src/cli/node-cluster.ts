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
  type ScopeOptions, type Transport, type UnicastTransport, address, addressText, openScope,
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

/** Start a node as configured: open the transport and the ledger, join the cluster. */
export async function startNodeCluster(config: NodeConfig, log?: Logger): Promise<Cluster> {
  const transport = await openScope(scopeOptions(config), {
    onError: (e, context) => log?.warn({ err: e, context }, 'transport error'),
    ...(config.auth && { auth: { keys: config.auth.keys, windowMs: config.auth.windowMs } }),
  });
  let ledger: Ledger;
  try {
    ledger = openLedger(config.ledger.kind === 'durable' ? { dir: config.ledger.dir } : { memory: true });
  } catch (e) {
    await transport.close();
    throw e;
  }
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
  });
  metrics.attach(node, transport);
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
    let last: Term | undefined;
    for await (const e of this.ledger.current()) {
      if (last === undefined || !equalTerms(last, e.key)) ledgerSize++;
      last = e.key;
    }
    const peers = this.transport.method === 'unicast' ? (this.transport as UnicastTransport).peers().map(addressText) : [];
    return {
      node: p.node ?? null, scope: this.scope, quorum: p.quorum, dead: p.dead, failed: p.failed, peers, ledgerSize,
      role: p.role, learners: p.learners,
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
