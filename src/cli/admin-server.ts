// The node's admin API over HTTP or HTTPS (node:http / node:https: seven routes
// need no framework). Served on loopback by default. With a token, every route
// wants `Authorization: Bearer <token>` (compared in constant time) and answers
// 401 without it; the node warns when it listens beyond loopback without one.
//
//   GET  /status                         JSON status
//   GET  /get?key=K                      the value (404 when unknown)
//   DELETE /key?key=K                    204 (departure 16: a set of the tombstone; 503/504 as set)
//   PUT  /set?key=K   body: value        204; Prolog text, or JSON (Content-Type: application/json;
//                                        objects are stored as json{...} dicts)
//   GET  /keys?pattern=P                 matching keys, one per line (NDJSON entries as JSON)
//   GET  /watch?pattern=P                changes as `K := V.` lines, NDJSON, or SSE
//   GET  /metrics                        Prometheus text format
//   GET  /health                         200 or 503 with a JSON body (ClusterHealth)
//   POST /remove?node=ID                204: member ID leaves the quorum for good; 409 with the reason if not
//   POST /promote[?node=ID]              204: the node (default this one) votes; 409 with the reason if not
//   POST /demote[?node=ID]               204: the node is a learner; 409 with the reason if not
//
// Responses are Prolog text unless the client asks for JSON (Accept or ?format=json).
// A bad request gets a 4xx with a one-line message; no request can crash the node.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type JSONValue, type Term, compoundOf, isGround } from '../term/index.js';
import { groundFromJSON } from './json-terms.js';
import { type EntryJSON, type Format, GEN_HEADER, MAX_BODY_BYTES, MEDIA, OUTCOME_HEADER, PATHS, SERVER_HEADER, SERVER_HEADER_VALUE, keyValueProblem, setFailureText, termJSON, tooLargeText } from './admin-api.js';
import { PaxosError, ValueTooLargeError } from '../paxos/node.js';
import type { Cluster, Entry, SetOutcome } from './cluster.js';
import type { HostPort } from './hostport.js';
import type { Logger } from './log.js';
import { clauseText, parseTermText, termText } from './term-text.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message);
  }
}

export interface AdminServer {
  readonly address: HostPort;
  readonly tls: boolean;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  /** Every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Serve HTTPS with this PEM certificate and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export async function startAdminServer(cluster: Cluster, listen: HostPort, log?: Logger, options: AdminServerOptions = {}): Promise<AdminServer> {
  const streams = new Set<AbortController>();
  const allowed = options.token === undefined ? undefined : digest(options.token);
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader(SERVER_HEADER, SERVER_HEADER_VALUE);
    if (allowed !== undefined) {
      const refusal = refuse(req, allowed);
      if (refusal !== undefined) {
        res.setHeader('www-authenticate', 'Bearer realm="prolog-paxos"');
        sendError(req, res, 401, refusal);
        return;
      }
    }
    handle(cluster, req, res, streams, log).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log?.error({ err: e, url: req.url }, 'admin request failed');
      sendError(req, res, status, e instanceof Error ? e.message : String(e), e instanceof HttpError ? e.headers : {});
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000; // covers the body; watch streams are responses, not requests
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log?.error({ err: e }, 'admin server error'));
  const a = server.address() as AddressInfo;
  return {
    address: { host: a.address, port: a.port },
    tls: options.tls !== undefined,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of streams) s.abort();
      // Ended watch streams leave keep-alive connections idle: close those at once,
      // and whatever a slow client still holds after a grace period.
      for (let i = 0; i < 50 && streams.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setImmediate(r));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      await closed;
      clearTimeout(force);
    },
  };
}

// Digests of equal length, so that timingSafeEqual never sees different lengths and
// the comparison time says nothing about the token.
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Why a request is refused (a clear line for the 401 body), or undefined when its token is the node's. */
function refuse(req: IncomingMessage, allowed: Buffer): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return 'this admin API needs a bearer token: send "Authorization: Bearer <token>" (the CLI reads --admin-token-file or PROLOG_PAXOS_ADMIN_TOKEN)';
  const m = /^Bearer +(\S+) *$/i.exec(h);
  if (!m) return 'the Authorization header must be "Bearer <token>"';
  return timingSafeEqual(digest(m[1]!), allowed) ? undefined : 'wrong bearer token';
}

function formatOf(req: IncomingMessage, url: URL, streaming: boolean): Format {
  const f = url.searchParams.get('format');
  if (f === 'json' || f === 'ndjson') return 'json';
  if (f === 'sse' && streaming) return 'sse';
  if (f === 'text' || f === 'prolog') return 'text';
  if (f !== null) throw new HttpError(400, `unknown format ${f}: use text, json${streaming ? ' or sse' : ''}`);
  const accept = req.headers.accept ?? '';
  if (streaming && accept.includes('text/event-stream')) return 'sse';
  if (/application\/(x-)?(nd)?json/.test(accept)) return 'json';
  return 'text';
}

function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  let json = false;
  try {
    json = formatOf(req, new URL(req.url ?? '/', 'http://x'), false) === 'json';
  } catch {
    // an unknown ?format= is itself the error being reported: answer in text
  }
  res.writeHead(status, { ...headers, 'content-type': json ? MEDIA.json : MEDIA.text });
  res.end(json ? JSON.stringify({ error: oneLine }) + '\n' : oneLine + '\n');
}

function param(url: URL, name: string, required: true): string;
function param(url: URL, name: string, required: false): string | undefined;
function param(url: URL, name: string, required: boolean): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null) {
    if (required) throw new HttpError(400, `missing query parameter ${name}`);
    return undefined;
  }
  return v;
}

function parseParam(text: string, what: string): Term {
  const r = parseTermText(text);
  if (!r.ok) throw new HttpError(400, `${what}: ${r.message}`);
  return r.term;
}

function groundKey(text: string): Term {
  const key = parseParam(text, 'key');
  if (!isGround(key)) throw new HttpError(400, `key must be ground: ${text}`);
  return key;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = (): HttpError => new HttpError(413, tooLargeText(`more than ${MAX_BODY_BYTES}`));
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new HttpError(400, 'body is not valid UTF-8');
  }
}

/** A set's or delete's outcome: throws 503 (not chosen, safe to retry) or 504 (unknown: it may have been chosen); sets the generation header when chosen. */
function sendOutcome(res: ServerResponse, key: Term, r: SetOutcome): void {
  if (!r.ok) throw new HttpError(r.outcome === 'unknown' ? 504 : 503, setFailureText(r.outcome, termText(key), r.reason), { [OUTCOME_HEADER]: r.outcome });
  res.setHeader(GEN_HEADER, String(r.gen));
}

async function handle(cluster: Cluster, req: IncomingMessage, res: ServerResponse, streams: Set<AbortController>, log: Logger | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const method = req.method ?? 'GET';
  const route = (m: string): void => {
    if (method !== m && !(m === 'GET' && method === 'HEAD')) {
      res.setHeader('allow', m);
      throw new HttpError(405, `${url.pathname} takes ${m}, not ${method}`);
    }
  };
  switch (url.pathname) {
    case PATHS.status: {
      route('GET');
      const s = await cluster.status();
      res.writeHead(200, { 'content-type': MEDIA.json });
      res.end(JSON.stringify(s) + '\n');
      return;
    }
    case PATHS.get: {
      route('GET');
      const format = formatOf(req, url, false);
      const key = groundKey(param(url, 'key', true));
      const quorum = param(url, 'quorum', false);
      if (quorum !== undefined && quorum !== 'true' && quorum !== 'false') throw new HttpError(400, 'quorum must be true or false');
      const r = await cluster.read(key, { quorum: quorum === 'true' });
      // 404: a majority holds no record of the key. 503: no majority agreed (try again).
      if (!r.ok && r.outcome === 'absent') throw new HttpError(404, `no agreed value for ${termText(key)}`, { [OUTCOME_HEADER]: 'absent' });
      if (!r.ok) throw new HttpError(503, `no agreement on ${termText(key)}: ${r.reason}`, { [OUTCOME_HEADER]: 'unavailable' });
      if (r.gen !== undefined) res.setHeader(GEN_HEADER, String(r.gen));
      sendEntry(res, format, { key, value: r.value });
      return;
    }
    case PATHS.set: {
      if (method !== 'POST') route('PUT');
      const format = formatOf(req, url, false);
      const key = groundKey(param(url, 'key', true));
      const body = await readBody(req);
      const type = (req.headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
      let value: Term;
      if (type === 'application/json') {
        let j: JSONValue;
        try {
          j = JSON.parse(body) as JSONValue;
        } catch (e) {
          throw new HttpError(400, `value: ${(e as Error).message}`);
        }
        try {
          value = groundFromJSON(j);
        } catch (e) {
          throw new HttpError(400, `value: ${(e as Error).message}`);
        }
      } else if (type === 'text/plain' || type === 'application/x-prolog' || type === 'application/x-www-form-urlencoded') {
        // curl --data sends form-urlencoded by default; the body is still the value's text.
        value = parseParam(body, 'value');
      } else {
        throw new HttpError(415, `unsupported content type ${type}: send Prolog text or application/json`);
      }
      // SWI's paxos_set/2 raises an instantiation error for a value with variables.
      if (!isGround(value)) throw new HttpError(400, `value must be ground: ${termText(value)}`);
      // A paxos message carries key and value in one UDP datagram (size-limit.ts), as the CLI checks too.
      const tooLarge = keyValueProblem(key, value);
      if (tooLarge !== undefined) throw new HttpError(413, tooLarge);
      // A value the wire cannot carry is refused by the node before any message (PaxosError): 400,
      // or 413 when it is too large in the scope's codec (wide text escaped takes more bytes).
      const r = await cluster.set(key, value).catch((e: unknown) => {
        if (e instanceof ValueTooLargeError) throw new HttpError(413, e.message);
        throw e instanceof PaxosError ? new HttpError(400, e.message) : e;
      });
      sendOutcome(res, key, r);
      if (format === 'json') sendEntry(res, format, { key, value });
      else res.writeHead(204).end();
      return;
    }
    case PATHS.key: {
      route('DELETE');
      const key = groundKey(param(url, 'key', true));
      sendOutcome(res, key, await cluster.delete(key));
      res.writeHead(204).end();
      return;
    }
    case PATHS.keys: {
      route('GET');
      const format = formatOf(req, url, false);
      const pattern = parseParam(param(url, 'pattern', false) ?? '_', 'pattern');
      res.writeHead(200, { 'content-type': format === 'json' ? MEDIA.ndjson : MEDIA.text });
      for await (const e of cluster.keys(pattern)) {
        if (res.destroyed) break;
        const line = format === 'json' ? JSON.stringify(entryJSON(e)) + '\n' : termText(e.key) + '\n';
        if (!res.write(line)) await drained(res);
      }
      res.end();
      return;
    }
    case PATHS.watch: {
      route('GET');
      const format = formatOf(req, url, true);
      const pattern = parseParam(param(url, 'pattern', false) ?? '_', 'pattern');
      const stop = new AbortController();
      streams.add(stop);
      res.on('close', () => stop.abort());
      try {
        const changes = cluster.watch(pattern, stop.signal);
        res.writeHead(200, {
          'content-type': format === 'sse' ? MEDIA.sse : format === 'json' ? MEDIA.ndjson : MEDIA.text,
          'cache-control': 'no-cache',
        });
        res.flushHeaders();
        log?.debug({ pattern: termText(pattern), format }, 'watch opened');
        const heartbeat = format === 'sse' ? setInterval(() => res.write(': keep-alive\n\n'), 15_000) : undefined;
        try {
          for await (const e of changes) {
            if (res.destroyed) break;
            if (!res.write(changeLine(format, e))) await drained(res);
          }
        } finally {
          clearInterval(heartbeat);
        }
        res.end();
      } finally {
        streams.delete(stop);
        log?.debug({ pattern: termText(pattern) }, 'watch closed');
      }
      return;
    }
    case PATHS.metrics: {
      route('GET');
      if (!cluster.metrics) throw new HttpError(404, 'this server has no metrics');
      const m = await cluster.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.text);
      return;
    }
    case PATHS.health: {
      route('GET');
      if (!cluster.health) throw new HttpError(404, 'this server has no health view');
      const h = cluster.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': MEDIA.json, 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', ...h }) + '\n');
      return;
    }
    case PATHS.promote: case PATHS.demote: {
      route('POST');
      if (!cluster.changeRole) throw new HttpError(404, 'this server cannot change roles');
      const text = param(url, 'node', false);
      if (text !== undefined && !/^\d{1,4}$/.test(text)) throw new HttpError(400, `node must be a node id, got ${text}`);
      try {
        await cluster.changeRole(url.pathname === PATHS.promote ? 'voter' : 'learner', text === undefined ? undefined : Number(text));
      } catch (e) {
        throw new HttpError(409, e instanceof Error ? e.message : String(e));
      }
      res.writeHead(204).end();
      return;
    }
    case PATHS.remove: {
      route('POST');
      if (!cluster.removeMember) throw new HttpError(404, 'this server cannot remove members');
      const text = param(url, 'node', true)!;
      if (!/^\d{1,4}$/.test(text)) throw new HttpError(400, `node must be a node id, got ${text}`);
      try {
        await cluster.removeMember(Number(text));
      } catch (e) {
        throw new HttpError(409, e instanceof Error ? e.message : String(e));
      }
      res.writeHead(204).end();
      return;
    }
    default:
      throw new HttpError(404, `no such endpoint ${url.pathname}: try ${Object.values(PATHS).join(' ')}`);
  }
}

function entryJSON(e: Entry): EntryJSON {
  return { key: termJSON(e.key), value: termJSON(e.value) };
}

function sendEntry(res: ServerResponse, format: Format, e: Entry): void {
  if (format === 'json') {
    res.writeHead(200, { 'content-type': MEDIA.json });
    res.end(JSON.stringify(entryJSON(e)) + '\n');
  } else {
    res.writeHead(200, { 'content-type': MEDIA.text });
    res.end(termText(e.value) + '\n');
  }
}

function changeLine(format: Format, e: Entry): string {
  switch (format) {
    case 'sse': return `event: change\ndata: ${JSON.stringify(entryJSON(e))}\n\n`;
    case 'json': return JSON.stringify(entryJSON(e)) + '\n';
    case 'text': return clauseText(compoundOf(':=', [e.key, e.value])) + '\n';
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
