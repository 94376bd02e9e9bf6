// A Cluster reached through a running node's admin API: what `prolog-paxos set`
// and friends, the console, and an express-session store in another process use.
// undici's fetch rather than the global one: only its Agent takes a CA to trust.
import { Agent, type RequestInit, type Response, fetch } from 'undici';
import type { JSONValue, Term } from '../term/index.js';
import type { AdminTarget } from './admin-target.js';
import { type EntryJSON, GEN_HEADER, MEDIA, OUTCOME_HEADER, PATHS, SERVER_HEADER, SERVER_HEADER_VALUE, setFailureText, termFromJSON } from './admin-api.js';
import type { Cluster, ClusterStatus, Entry, GetOutcome, SetOutcome } from './cluster.js';
import { NO_SUCH_KEY } from '../paxos/machine.js';
import { type HostPort, formatHostPort } from './hostport.js';
import { termText } from './term-text.js';

/** The node could not be reached, or answered with an error that is not "unknown key" / "no agreement". */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(message: string, readonly status: number | undefined) {
    super(message);
  }
}

/**
 * The Cluster of a running `prolog-paxos node`, through its admin API:
 * `new RemoteCluster({ host, port })`, or an AdminTarget with `tls`, `token` and `ca`.
 * Requests time out after `timeoutMs` (watches do not); `close()` ends open requests.
 */
export class RemoteCluster implements Cluster {
  readonly admin: HostPort;
  private readonly base: string;
  private readonly closing = new AbortController();
  private readonly dispatcher: Agent;
  private readonly auth: Record<string, string>;

  /** A bare HostPort is plain HTTP without a token. */
  constructor(target: HostPort | AdminTarget, private readonly timeoutMs = 30_000) {
    const t: Partial<AdminTarget> = target;
    this.admin = { host: target.host, port: target.port };
    this.base = `${t.tls ? 'https' : 'http'}://${formatHostPort(this.admin)}`;
    this.dispatcher = new Agent(t.ca === undefined ? {} : { connect: { ca: t.ca } });
    this.auth = t.token === undefined ? {} : { authorization: `Bearer ${t.token}` };
  }

  private async request(path: string, query: Record<string, string>, init: RequestInit = {}, stream = false): Promise<Response> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const signals = [this.closing.signal];
    if (init.signal) signals.push(init.signal);
    if (!stream) signals.push(AbortSignal.timeout(this.timeoutMs));
    let res: Response;
    try {
      res = await fetch(url, {
        ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...this.auth },
        signal: AbortSignal.any(signals), dispatcher: this.dispatcher,
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      if ((e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError') throw e;
      const code = cause?.code ?? (e as Error).message;
      const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code) ? ' (trust its CA with --admin-ca FILE)' : /EPROTO|ECONNRESET/.test(code) && !this.base.startsWith('https') ? ' (an https:// node?)' : '';
      const where = this.base.startsWith('https') ? this.base : formatHostPort(this.admin);
      throw new AdminError(`cannot reach the node's admin API at ${where}: ${code}${hint}`, undefined);
    }
    if (res.headers.get(SERVER_HEADER) !== SERVER_HEADER_VALUE) {
      // Another HTTP server on that port: its 404 or HTML page must not read as "no agreed value".
      await res.body?.cancel();
      const where = this.base.startsWith('https') ? this.base : formatHostPort(this.admin);
      throw new AdminError(`${where} is not a prolog-paxos admin API (it answered HTTP ${res.status}${server(res)}): check --admin or PROLOG_PAXOS_ADMIN`, undefined);
    }
    if (res.status === 401) {
      await RemoteCluster.fail(res);
    }
    return res;
  }

  private static async fail(res: Response): Promise<never> {
    let message = (await res.text()).trim();
    try {
      message = (JSON.parse(message) as { error: string }).error;
    } catch {
      // a text body is the message itself
    }
    throw new AdminError(message || `HTTP ${res.status}`, res.status);
  }

  async set(key: Term, value: Term): Promise<SetOutcome> {
    const res = await this.request(PATHS.set, { key: termText(key) }, {
      method: 'PUT',
      headers: { 'content-type': MEDIA.prolog },
      body: termText(value),
    });
    return this.outcomeOf(key, res);
  }

  /** A set's or delete's answer: 204 with its generation, or 503/504 with the outcome header. */
  private async outcomeOf(key: Term, res: Response): Promise<SetOutcome> {
    const outcome = res.headers.get(OUTCOME_HEADER);
    if ((res.status === 503 || res.status === 504) && (outcome === 'rejected' || outcome === 'unknown')) {
      const text = (await res.text()).trim();
      const prefix = setFailureText(outcome, termText(key), '');
      return { ok: false, outcome, reason: text.startsWith(prefix) ? text.slice(prefix.length) : text };
    }
    if (!res.ok) return RemoteCluster.fail(res);
    await res.body?.cancel();
    return { ok: true, gen: Number(res.headers.get(GEN_HEADER) ?? 0) };
  }

  async delete(key: Term): Promise<SetOutcome> {
    return this.outcomeOf(key, await this.request(PATHS.key, { key: termText(key) }, { method: 'DELETE' }));
  }

  async get(key: Term): Promise<Term | undefined> {
    const r = await this.read(key);
    return r.ok ? r.value : undefined;
  }

  async read(key: Term, opts: { readonly quorum?: boolean } = {}): Promise<GetOutcome> {
    const res = await this.request(PATHS.get, { key: termText(key), format: 'json', ...(opts.quorum && { quorum: 'true' }) });
    const outcome = res.headers.get(OUTCOME_HEADER);
    if (res.status === 404) {
      await res.body?.cancel();
      return { ok: false, outcome: 'absent', reason: NO_SUCH_KEY };
    }
    if (res.status === 503 && outcome === 'unavailable') return { ok: false, outcome, reason: (await res.text()).trim() };
    if (!res.ok) return RemoteCluster.fail(res);
    const gen = res.headers.get(GEN_HEADER);
    const e = (await res.json()) as EntryJSON;
    return { ok: true, value: termFromJSON(e.value as unknown as JSONValue), gen: gen === null ? undefined : Number(gen) };
  }

  async *keys(pattern: Term): AsyncIterable<Entry> {
    const res = await this.request(PATHS.keys, { pattern: termText(pattern), format: 'json' });
    if (!res.ok) await RemoteCluster.fail(res);
    yield* entries(res);
  }

  async *watch(pattern: Term, signal?: AbortSignal): AsyncIterable<Entry> {
    let res: Response;
    try {
      res = await this.request(PATHS.watch, { pattern: termText(pattern), format: 'json' }, signal ? { signal } : {}, true);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      throw e;
    }
    if (!res.ok) await RemoteCluster.fail(res);
    try {
      yield* entries(res);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      throw e;
    }
  }

  async status(): Promise<ClusterStatus> {
    const res = await this.request(PATHS.status, {});
    if (!res.ok) return RemoteCluster.fail(res);
    return (await res.json()) as ClusterStatus;
  }

  async changeRole(role: 'voter' | 'learner', node?: number): Promise<void> {
    const res = await this.request(role === 'voter' ? PATHS.promote : PATHS.demote, node === undefined ? {} : { node: String(node) }, { method: 'POST' });
    if (!res.ok) return RemoteCluster.fail(res);
    await res.body?.cancel();
  }

  async removeMember(node: number): Promise<void> {
    const res = await this.request(PATHS.remove, { node: String(node) }, { method: 'POST' });
    if (!res.ok) return RemoteCluster.fail(res);
    await res.body?.cancel();
  }

  /** Ends this client's open requests; the remote node keeps running. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.dispatcher.destroy().catch(() => {});
  }
}

/** ", server X" from the Server header, when the other server names itself. */
function server(res: Response): string {
  const name = res.headers.get('server');
  return name ? `, server ${name.slice(0, 60)}` : '';
}

/** NDJSON entries from a streaming response body. */
async function* entries(res: Response): AsyncIterable<Entry> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const e = JSON.parse(line) as EntryJSON;
      yield { key: termFromJSON(e.key as unknown as JSONValue), value: termFromJSON(e.value as unknown as JSONValue) };
    }
  }
}
