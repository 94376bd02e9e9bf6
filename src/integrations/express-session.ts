/**
 * An express-session store on a paxos cluster: {@link ClusterSessionStore}.
 * @module prolog-paxos/express-session
 */
// An express-session store on a paxos cluster: every Express server whose store
// talks to the same cluster (an in-process node, or a node's admin API through
// RemoteCluster) sees the same sessions.
//
// Keys are `session(Id)`, Id a Prolog string (strings, unlike atoms, are not
// interned on SWI nodes). A live value is `session(ExpiresMs, Data)`: Data is the
// session object through the JSON mapping of src/term/json.ts, its objects as dicts
// tagged `json` so values are ground (src/cli/json-terms.ts). A destroyed or expired
// session is deleted (Cluster.delete, departure 16 in docs/paxos-departures.md). With
// compaction on (`compact_grace` on every node, docs/paxos-departures.md "Compaction")
// its tombstone is removed once every member holds it and the grace passed, so nothing
// of it is left and the ledger of a store under churn holds the live sessions only;
// with compaction off (the default, and next to SWI members) each leaves a tombstone. Values `ended` (what earlier versions
// wrote instead of deleting) read as no session and are deleted by cleanup().
//
// express-session is a peer dependency: the application brings its own.
import session from 'express-session';
import type { SessionData } from 'express-session';
import type { Cluster, SetOutcome } from '../cli/cluster.js';
import { groundFromJSON, jsonOf } from '../cli/json-terms.js';
import { type JSONValue, type Term, atom, compound, int, str, variable } from '../term/index.js';

/** Options of {@link ClusterSessionStore}. */
export interface ClusterStoreOptions {
  /** Lifetime in seconds of a session whose cookie has no expiry (default one day). */
  readonly ttlSeconds?: number;
  /** How often to delete expired sessions found in the local ledger; 0 disables (default 10 minutes). */
  readonly cleanupIntervalMs?: number;
  /**
   * Skip a touch (an agreement round per request) when this store itself wrote the
   * session's expiry less than this many seconds before the new one (default 0:
   * every touch is written). The stored expiry then lags the cookie's by at most that.
   */
  readonly touchAfterSeconds?: number;
  /** Clock, injected by tests. */
  readonly now?: () => number;
}

const ENDED = atom('ended');
/** Deletes the cleanup keeps in flight. */
const CLEANUP_IN_FLIGHT = 32;

function isEnded(v: Term): boolean {
  return v.kind === 'atom' && v.name === ENDED.name;
}

/** A session write or delete the cluster did not agree on: the request fails with it (its message says rejected or unknown, and why). */
export class NoAgreementError extends Error {
  override name = 'NoAgreementError';
}

type Callback<T = void> = (err: unknown, value?: T) => void;

/**
 * An express-session store on a paxos cluster: `session({ store: new ClusterSessionStore(cluster) })`.
 * Every server whose store talks to the same cluster, through a node in its own process
 * (`startCluster`) or a running node's admin API (`RemoteCluster`), sees the same sessions.
 * Each write is one agreement round; a session (key plus value) must fit one datagram.
 * Expired sessions are deleted on read and by a periodic cleanup; `close()` stops the cleanup
 * timer (the cluster stays open: it is the caller's to close). With `--compact-grace` set on
 * every node, an expired or destroyed session leaves nothing in any ledger after the grace
 * period; without it, one small tombstone record per session id ever deleted.
 */
export class ClusterSessionStore extends session.Store {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly touchAfterMs: number;
  /** Expiry this store last wrote per session, oldest first, bounded. */
  private readonly written = new Map<string, number>();

  constructor(private readonly cluster: Cluster, options: ClusterStoreOptions = {}) {
    super();
    this.ttlMs = (options.ttlSeconds ?? 86_400) * 1000;
    this.now = options.now ?? Date.now;
    this.touchAfterMs = (options.touchAfterSeconds ?? 0) * 1000;
    const every = options.cleanupIntervalMs ?? 600_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.cleanup().catch((e: unknown) => this.emit('error', e));
      }, every);
      this.timer.unref();
    }
  }

  override get(sid: string, cb: Callback<SessionData | null>): void {
    settle(this.readSession(sid), cb);
  }

  override set(sid: string, sess: SessionData, cb?: Callback): void {
    settle(this.writeSession(sid, sess), cb);
  }

  override touch(sid: string, sess: SessionData, cb?: () => void): void {
    // express-session's touch callback takes no error; a failed touch only shortens the session.
    const last = this.written.get(sid);
    if (last !== undefined && this.expiresOf(sess) - last < this.touchAfterMs) {
      cb?.();
      return;
    }
    this.writeSession(sid, sess).then(() => cb?.(), () => cb?.());
  }

  override destroy(sid: string, cb?: Callback): void {
    this.written.delete(sid);
    settle(this.remove(sid), cb);
  }

  override all(cb: Callback<{ [sid: string]: SessionData }>): void {
    settle((async () => {
      const out: { [sid: string]: SessionData } = {};
      for (const [sid, data] of await this.live()) out[sid] = data;
      return out;
    })(), cb);
  }

  override length(cb: Callback<number>): void {
    settle(this.live().then((l) => l.length), cb);
  }

  override clear(cb?: Callback): void {
    settle((async () => {
      for (const [sid] of await this.live()) await this.remove(sid);
    })(), cb);
  }

  /** Stop the cleanup timer (the cluster is the caller's to close). */
  close(): void {
    clearInterval(this.timer);
  }

  /** Delete the expired (and legacy `ended`) sessions of the local ledger; resolves to how many. */
  async cleanup(): Promise<number> {
    let n = 0;
    let batch: string[] = [];
    // Up to CLEANUP_IN_FLIGHT deletes at a time: each is an agreement round, and the
    // node commits concurrent rounds together (group commit).
    const flush = async (): Promise<void> => {
      const done = await Promise.all(batch.map((sid) => this.removeIfExpired(sid)));
      n += done.filter(Boolean).length;
      batch = [];
    };
    for await (const e of this.cluster.keys(compound('session', variable()))) {
      const sid = sessionId(e.key);
      const live = liveValue(e.value);
      if (sid === undefined || (live !== undefined && live.expires > this.now()) || (live === undefined && !isEnded(e.value))) continue;
      batch.push(sid);
      if (batch.length >= CLEANUP_IN_FLIGHT) await flush();
    }
    await flush();
    return n;
  }

  /** Recheck the agreed value (the local ledger may lag a session renewed elsewhere), then delete it if expired. */
  private async removeIfExpired(sid: string): Promise<boolean> {
    const current = await this.cluster.get(sessionKey(sid));
    const cur = current && liveValue(current);
    if (current === undefined || !(cur ? cur.expires <= this.now() : isEnded(current))) return false;
    await this.remove(sid);
    return true;
  }

  private async readSession(sid: string): Promise<SessionData | null> {
    const value = await this.cluster.get(sessionKey(sid));
    const live = value && liveValue(value);
    if (!live) return null;
    if (live.expires <= this.now()) {
      // Clean on read; the caller need not wait for the cluster to agree.
      this.remove(sid).catch((e: unknown) => this.emit('error', e));
      return null;
    }
    return sessionData(live.data) ?? null;
  }

  private expiresOf(sess: SessionData): number {
    const cookieExpires = sess.cookie?.expires;
    return cookieExpires ? new Date(cookieExpires).getTime() : this.now() + this.ttlMs;
  }

  private async writeSession(sid: string, sess: SessionData): Promise<void> {
    const expires = this.expiresOf(sess);
    // Through JSON text first: Dates become strings, undefined and functions drop out.
    const data = groundFromJSON(JSON.parse(JSON.stringify(sess)) as JSONValue);
    await this.put(sid, compound('session', int(expires), data));
    if (this.touchAfterMs > 0) {
      this.written.delete(sid);
      this.written.set(sid, expires);
      if (this.written.size > 10_000) this.written.delete(this.written.keys().next().value!);
    }
  }

  private async put(sid: string, value: Term): Promise<void> {
    this.check(sid, await this.cluster.set(sessionKey(sid), value));
  }

  private async remove(sid: string): Promise<void> {
    this.check(sid, await this.cluster.delete(sessionKey(sid)));
  }

  private check(sid: string, r: SetOutcome): void {
    if (!r.ok) throw new NoAgreementError(`session ${JSON.stringify(sid)}: ${r.outcome === 'unknown' ? 'outcome unknown' : 'not chosen'}: ${r.reason}`);
  }

  private async live(): Promise<[string, SessionData][]> {
    const out: [string, SessionData][] = [];
    for await (const e of this.cluster.keys(compound('session', variable()))) {
      const sid = sessionId(e.key);
      const live = liveValue(e.value);
      const data = live && live.expires > this.now() ? sessionData(live.data) : undefined;
      if (sid !== undefined && data) out.push([sid, data]);
    }
    return out;
  }
}

/** The ledger key of session `sid`: `session("sid")`, the id a Prolog string. */
export function sessionKey(sid: string): Term {
  return compound('session', str(sid));
}

function sessionId(key: Term): string | undefined {
  return key.kind === 'compound' && key.args[0]?.kind === 'string' ? key.args[0].value : undefined;
}

function liveValue(v: Term): { expires: number; data: Term } | undefined {
  if (v.kind !== 'compound' || v.name !== 'session' || v.args.length !== 2) return undefined;
  const [e, data] = v.args as [Term, Term];
  if (e.kind !== 'int') return undefined;
  return { expires: Number(e.value), data };
}

function sessionData(t: Term): SessionData | undefined {
  const j = jsonOf(t);
  return j !== null && typeof j === 'object' && !Array.isArray(j) ? (j as unknown as SessionData) : undefined;
}

function settle<T>(p: Promise<T>, cb: Callback<T> | undefined): void {
  p.then((v) => cb?.(null, v), (e: unknown) => cb?.(e));
}
