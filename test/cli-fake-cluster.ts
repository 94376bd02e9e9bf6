// An in-process stand-in for a paxos cluster, for tests about the CLI's own logic
// (admin API routing, client exit codes, console parsing) where the consensus
// underneath is not the subject. Tests that use it say "fake cluster" in their name.
import { type AdminServer, startAdminServer } from '../src/cli/admin-server.js';
import { AsyncQueue } from '../src/cli/async-queue.js';
import type { Cluster, ClusterStatus, Entry, GetOutcome, SetOutcome } from '../src/cli/cluster.js';
import { type Term, compareTerms, termKey, unifiable } from '../src/term/index.js';

export class FakeCluster implements Cluster {
  readonly data = new Map<string, Entry>();
  private readonly watchers = new Set<{ pattern: Term; queue: AsyncQueue<Entry> }>();
  /** When false, set() reports no agreement, as a quorum that lost its majority, with this outcome. */
  agree = true;
  failure: 'rejected' | 'unknown' = 'rejected';
  private gen = 0;
  closed = false;

  async set(key: Term, value: Term): Promise<SetOutcome> {
    if (!this.agree) return { ok: false, outcome: this.failure, reason: 'fake cluster told to disagree' };
    this.data.set(termKey(key), { key, value });
    for (const w of this.watchers) if (unifiable(w.pattern, key)) w.queue.push({ key, value });
    return { ok: true, gen: ++this.gen };
  }

  async delete(key: Term): Promise<SetOutcome> {
    if (!this.agree) return { ok: false, outcome: this.failure, reason: 'fake cluster told to disagree' };
    this.data.delete(termKey(key));
    return { ok: true, gen: ++this.gen };
  }

  async read(key: Term): Promise<GetOutcome> {
    const v = this.data.get(termKey(key))?.value;
    return v === undefined ? { ok: false, outcome: 'absent', reason: 'no such key' } : { ok: true, value: v, gen: undefined };
  }

  async get(key: Term): Promise<Term | undefined> {
    return this.data.get(termKey(key))?.value;
  }

  async *keys(pattern: Term): AsyncIterable<Entry> {
    const all = [...this.data.values()].sort((a, b) => compareTerms(a.key, b.key));
    for (const e of all) if (unifiable(pattern, e.key)) yield e;
  }

  watch(pattern: Term, signal?: AbortSignal): AsyncIterable<Entry> {
    const w = { pattern, queue: new AsyncQueue<Entry>(100, () => this.watchers.delete(w)) };
    this.watchers.add(w);
    signal?.addEventListener('abort', () => w.queue.end(), { once: true });
    return w.queue;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  async status(): Promise<ClusterStatus> {
    return { node: 0, scope: 'paxos', quorum: [0], dead: [], failed: [], peers: ['127.0.0.1:43999'], ledgerSize: this.data.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watchers) w.queue.end();
  }
}

/**
 * A fresh FakeCluster behind a real admin API server on 127.0.0.1:port for each test
 * of the calling suite (mocha hooks); the getters give the current test's pair.
 * Closing the server in a test is fine: closing twice resolves.
 */
export function useFakeAdmin(port: number): { cluster: () => FakeCluster; server: () => AdminServer } {
  let cluster: FakeCluster | undefined;
  let server: AdminServer | undefined;
  beforeEach(async () => {
    cluster = new FakeCluster();
    server = await startAdminServer(cluster, { host: '127.0.0.1', port });
  });
  afterEach(async () => { await server?.close(); });
  return { cluster: () => cluster!, server: () => server! };
}
