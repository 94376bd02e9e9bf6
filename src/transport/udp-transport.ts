// One scope of library(udp_broadcast), on the wire exactly as SWI-Prolog's.
//
// Sockets, as udp_broadcast.pl makes them:
//   unicast    one socket on the public port: everything in and out goes through it.
//   broadcast  a public socket (SO_REUSEADDR) hears the subnet's broadcasts; a private
//              one (ephemeral port, SO_BROADCAST) sends them, sends directed messages
//              and replies, and hears directed messages and replies.
//   multicast  as broadcast, the public socket joined to the group.
import type { Term } from '../term/types.js';
import { isGround } from '../term/walk.js';
import { type Address, ipText, sameAddress } from './address.js';
import { FrameAuth, MAX_SIGNATURE_BYTES } from './auth.js';
import { FaultySocket } from './faults.js';
import { type Codec, WireEncodingError, MAX_UDP_PAYLOAD, type WireMessage, messageFromTerm, messageTerm, prologTextCodec } from './framing.js';
import { type Handler, type Inbound, Listeners, type RawReply, isPromise, replyTerm, solutionsOf } from './listeners.js';
import type { Bindings } from '../term/unify.js';
import { type ReplyStream, RequestTable } from './requests.js';
import { type ScopeDef, type ScopeOptions, type UnicastOptions, inScope, peerAddress, resolveScope } from './scope.js';
import { type DatagramSocket, bindUdp } from './socket.js';
import {
  type RequestOptions, type SendOptions, type Transport, type TransportConfig, type TransportCounters, TransportError, type UnicastTransport,
} from './types.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 250;

/** Up to this many answers given at once are sent at once; more go out in slices (no starving). */
const SYNC_ANSWERS = 64;

/** Open a scope (udp_broadcast_initialize/2). Ports are bound when the promise resolves. */
export async function openScope(options: UnicastOptions, config?: TransportConfig): Promise<UnicastTransport>;
export async function openScope(options: ScopeOptions, config?: TransportConfig): Promise<Transport>;
export async function openScope(options: ScopeOptions, config: TransportConfig = {}): Promise<Transport> {
  const def = resolveScope(options);
  const t = new UdpTransport(def, config);
  await t.start(options.method === 'unicast' ? options.peers ?? [] : []);
  return t;
}

function zeroCounters(): TransportCounters {
  return {
    datagramsIn: 0, oversized: 0, outOfScope: 0, unauthenticated: 0, malformed: 0, blacklisted: 0, overloaded: 0, accepted: 0,
    joined: 0, unknownReplies: 0, skippedReplies: 0, handlerErrors: 0, datagramsOut: 0, repliesSent: 0, sendErrors: 0,
  };
}

// Implements UnicastTransport's peer methods for every method, refusing them at run
// time unless unicast; openScope's overloads give the UnicastTransport type to unicast scopes only.
class UdpTransport implements Transport {
  readonly counters = zeroCounters();
  private readonly codec: Codec;
  private readonly authenticator: FrameAuth | undefined;
  private readonly listeners = new Listeners();
  private readonly requests: RequestTable;
  private readonly peerList: Address[] = [];
  private publicSock: DatagramSocket | undefined;
  private privateSock: DatagramSocket | undefined;
  private inFlight = 0;
  private isClosed = false;

  constructor(private readonly def: ScopeDef, private readonly config: TransportConfig) {
    this.codec = config.codec ?? prologTextCodec();
    this.authenticator = config.auth && new FrameAuth(config.auth);
    this.requests = new RequestTable(config.maxQueuedReplies ?? 10000);
  }

  get scope(): string { return this.def.name; }
  get method(): ScopeDef['method'] { return this.def.method; }
  get closed(): boolean { return this.isClosed; }
  get ports(): { public: number; private: number | undefined } {
    return { public: this.publicSock?.port ?? this.def.port, private: this.privateSock?.port };
  }
  get auth(): Transport['auth'] {
    const a = this.authenticator;
    return a && { keyIds: a.keyIds, drops: a.drops };
  }
  get faults(): Transport['faults'] {
    const p = this.publicSock;
    if (!(p instanceof FaultySocket)) return undefined;
    const q = this.privateSock instanceof FaultySocket ? this.privateSock : undefined;
    const sum = (a: FaultySocket['sendCounters'], b: FaultySocket['sendCounters'] | undefined) => ({
      dropped: a.dropped + (b?.dropped ?? 0), duplicated: a.duplicated + (b?.duplicated ?? 0),
      reordered: a.reordered + (b?.reordered ?? 0), delayed: a.delayed + (b?.delayed ?? 0),
    });
    return { send: sum(p.sendCounters, q?.sendCounters), receive: sum(p.receiveCounters, q?.receiveCounters) };
  }

  async start(peers: readonly (Address | string | readonly number[])[]): Promise<void> {
    const d = this.def;
    for (const p of peers) this.addPeerUnchecked(p);
    const onError = (e: Error): void => this.report(e, 'socket');
    let pub: DatagramSocket;
    let priv: DatagramSocket | undefined;
    switch (d.method) {
      case 'unicast':
        pub = await bindUdp({ host: d.bindAddress, port: d.port }, onError);
        break;
      case 'broadcast':
        pub = await bindUdp({ port: d.port, reuseAddr: true }, onError);
        priv = await bindUdp({ port: 0, broadcast: true }, onError).catch(async (e) => { await pub.close(); throw e; });
        break;
      case 'multicast': {
        const iface = d.interface;
        pub = await bindUdp({ port: d.port, reuseAddr: true, multicastGroup: d.group.join('.'), multicastInterface: iface }, onError);
        priv = await bindUdp({ port: 0, multicastInterface: iface, multicastTtl: d.ttl }, onError).catch(async (e) => { await pub.close(); throw e; });
        break;
      }
    }
    const faults = this.config.faults;
    if (faults) {
      pub = new FaultySocket(pub, faults);
      // Its own stream of randomness, still determined by the seed.
      if (priv) priv = new FaultySocket(priv, { ...faults, seed: faults.seed ^ 0x5bd1e995 });
    }
    pub.onMessage((data, from) => this.inbound(data, from, 'public'));
    priv?.onMessage((data, from) => this.inbound(data, from, 'private'));
    this.publicSock = pub;
    this.privateSock = priv;
  }

  // ---- outbound ---------------------------------------------------------------

  refusal(t: Term): string | undefined {
    return this.codec.refusal?.(t);
  }

  requestBytes(message: Term): number {
    // The largest request id, and the signature's header at its longest: a worst case, with no side effect.
    const bytes = this.codec.encode(messageTerm({ kind: 'request', id: RequestTable.idTerm(BigInt(Number.MAX_SAFE_INTEGER)), term: message })).length;
    return this.authenticator ? bytes + MAX_SIGNATURE_BYTES : bytes;
  }

  private encode(m: WireMessage): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = this.codec.encode(messageTerm(m));
    } catch (e) {
      if (e instanceof WireEncodingError) throw new TransportError('unrepresentable', e.message);
      throw e;
    }
    if (this.authenticator) bytes = this.authenticator.sign(bytes);
    if (bytes.length > MAX_UDP_PAYLOAD) {
      throw new TransportError('too_large', `message of ${bytes.length} bytes exceeds the ${MAX_UDP_PAYLOAD}-byte UDP payload limit`);
    }
    return bytes;
  }

  private checkOpen(): void {
    if (this.isClosed) throw new TransportError('closed', `scope ${this.def.name} is closed`);
  }

  /** unicast: the public socket; broadcast and multicast: the private one (udp_send_message/3). */
  private get sendSocket(): DatagramSocket {
    return this.privateSock ?? this.publicSock!;
  }

  private async sendBytes(sock: DatagramSocket, bytes: Uint8Array, to: Address): Promise<void> {
    try {
      await sock.send(bytes, to);
      this.counters.datagramsOut++;
    } catch (e) {
      this.counters.sendErrors++;
      throw e;
    }
  }

  /** A peer that is our own public socket: its port, on a loopback, wildcard or our bind address. */
  isSelf(p: Address): boolean {
    if (this.def.method !== 'unicast' || p.port !== this.publicSock?.port) return false;
    const bind = this.def.bindAddress;
    return p.ip[0] === 127 || p.ip.every((x) => x === 0) || ipText(p.ip) === bind;
  }

  private async toAll(bytes: Uint8Array, exceptSelf = false): Promise<void> {
    const d = this.def;
    switch (d.method) {
      case 'unicast': {
        // The same bytes to each peer separately, a failure to one not stopping the
        // others (SWI's safely/1).
        const sent: Promise<void>[] = [];
        for (const p of this.peerList) {
          if (exceptSelf && this.isSelf(p)) continue;
          sent.push(this.sendBytes(this.publicSock!, bytes, p).catch(this.reportSend));
        }
        await Promise.all(sent);
        return;
      }
      case 'broadcast':
        return this.sendBytes(this.privateSock!, bytes, { ip: d.broadcast, port: d.port });
      case 'multicast':
        return this.sendBytes(this.privateSock!, bytes, { ip: d.group, port: d.port });
    }
  }

  async broadcast(term: Term, options: SendOptions = {}): Promise<void> {
    this.checkOpen();
    await this.toAll(this.encode({ kind: 'send', term }), options.exceptSelf);
  }

  async sendTo(to: Address, term: Term): Promise<void> {
    this.checkOpen();
    await this.sendBytes(this.sendSocket, this.encode({ kind: 'send', term }), to);
  }

  request(term: Term, options: RequestOptions = {}): ReplyStream {
    this.checkOpen();
    const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const to = options.to;
    if (isGround(term)) {
      // udp_broadcast/3: a ground request is a plain broadcast, collecting nothing.
      const bytes = this.encode({ kind: 'send', term });
      void (to ? this.sendBytes(this.sendSocket, bytes, to) : this.toAll(bytes, options.exceptSelf)).catch((e) => this.report(e, 'send'));
      const s = this.requests.create(term, 0);
      s.close();
      return s;
    }
    const stream = this.requests.create(term, timeout, to, options.raw === true);
    let bytes: Uint8Array;
    try {
      bytes = this.encode({ kind: 'request', id: RequestTable.idTerm(stream.id), term });
    } catch (e) {
      stream.close();
      throw e;
    }
    void (to ? this.sendBytes(this.sendSocket, bytes, to) : this.toAll(bytes, options.exceptSelf)).catch((e) => this.report(e, 'send'));
    return stream;
  }

  listen(pattern: Term, handler: Handler): () => void {
    return this.listeners.add(pattern, handler);
  }

  // ---- peers (unicast) --------------------------------------------------------

  private addPeerUnchecked(peer: Address | string | readonly number[]): void {
    const a = peerAddress(peer, this.def.port);
    if (!this.peerList.some((p) => sameAddress(p, a))) this.peerList.push(a);
  }

  private requireUnicast(): void {
    if (this.def.method !== 'unicast') throw new TransportError('not_unicast', `scope ${this.def.name} is ${this.def.method}, peers are for unicast scopes`);
  }

  addPeer(peer: Address | string | readonly number[]): void {
    this.requireUnicast();
    this.addPeerUnchecked(peer);
  }

  removePeer(peer: Address | string | readonly number[]): void {
    this.requireUnicast();
    const a = peerAddress(peer, this.def.port);
    const i = this.peerList.findIndex((p) => sameAddress(p, a));
    if (i >= 0) this.peerList.splice(i, 1);
  }

  peers(): readonly Address[] {
    return [...this.peerList];
  }

  // ---- inbound (dispatch_ready/1) -----------------------------------------------

  private inbound(data: Buffer, from: Address, via: 'public' | 'private'): void {
    const c = this.counters;
    c.datagramsIn++;
    if (this.isClosed) return void c.outOfScope++;
    if (data.length > (this.config.maxInboundBytes ?? 65535)) return void c.oversized++;
    let heard = inScope(this.def, from, this.peerList);
    const unicastPublic = via === 'public' && this.def.method === 'unicast';
    // SWI hears any port of a peer's IP; the admit hook is asked about every address not listed.
    const admit = unicastPublic && !this.peerList.some((p) => sameAddress(p, from)) ? this.config.admitStranger : undefined;
    let join = !heard && unicastPublic ? this.config.joinHook : undefined;
    if (!heard && join === undefined && admit === undefined) return void c.outOfScope++;
    let body = data;
    if (this.authenticator) {
      const v = this.authenticator.verify(data);
      if (!v.ok) return void c.unauthenticated++;
      body = v.inner;
    }
    const msg = this.decode(body);
    if (msg === undefined) return void c.malformed++;
    if (this.config.blackList !== undefined && this.safeBlackList(msg.term)) return void c.blacklisted++;
    let admitted = false;
    if (admit !== undefined && msg.kind !== 'reply' && this.safeAdmit(admit, from, msg.term)) {
      this.addPeerUnchecked(from);
      admitted = heard = true;
      join = undefined;
    } else if (!heard && join === undefined) {
      return void c.outOfScope++;
    }
    if (msg.kind === 'reply') {
      if (!heard) return void c.outOfScope++; // SWI's join path has no reply case
      c.accepted++;
      const r = this.requests.deliver(msg.id, msg.term, from);
      if (r === 'unknown') c.unknownReplies++;
      else if (r !== 'taken') c.skippedReplies++;
      return;
    }
    if (this.inFlight >= (this.config.maxInFlight ?? 1000)) return void c.overloaded++;
    if (join === undefined) c[admitted ? 'joined' : 'accepted']++; // else the join hook decides: joined or outOfScope
    this.inFlight++;
    // Replies leave by the socket SWI uses: the public one for unicast, else the private one.
    const replySock = this.sendSocket;
    let work: Promise<void> | undefined;
    try {
      work = join !== undefined ? this.joinRequest(join, msg, from) : this.dispatch(msg, from, replySock);
    } catch (e) {
      c.handlerErrors++;
      this.report(e, 'dispatch');
    }
    if (work === undefined) { this.inFlight--; return; }
    void work.catch((e) => { c.handlerErrors++; this.report(e, 'dispatch'); }).finally(() => { this.inFlight--; });
  }

  private decode(data: Buffer): WireMessage | undefined {
    try {
      const t = this.codec.decode(data);
      return t === undefined ? undefined : messageFromTerm(t);
    } catch {
      return undefined;
    }
  }

  private safeAdmit(hook: NonNullable<TransportConfig['admitStranger']>, from: Address, term: Term): boolean {
    try {
      return hook(from, term, this as UnicastTransport) === true; // admit hooks exist for unicast scopes only
    } catch (e) {
      this.counters.handlerErrors++;
      this.report(e, 'admitStranger');
      return false;
    }
  }

  private safeBlackList(term: Term): boolean {
    try {
      return this.config.blackList!(term);
    } catch (e) {
      this.counters.handlerErrors++;
      this.report(e, 'blackList');
      return false;
    }
  }

  /**
   * ld_dispatch/4 for send and request. The common case (a handler answering at once
   * with nothing or a short array, as the paxos node does) completes synchronously,
   * without a promise per datagram; anything else continues in dispatchAsync.
   */
  private dispatch(msg: Exclude<WireMessage, { kind: 'reply' }>, from: Address, replySock: DatagramSocket): Promise<void> | undefined {
    const matches = this.listeners.matching(msg.term);
    for (let i = 0; i < matches.length; i++) {
      if (this.isClosed) return undefined;
      const inbound = this.inboundOf(msg, matches[i]!.bindings, from);
      let raw: ReturnType<Handler>;
      try {
        raw = matches[i]!.entry.handler(inbound);
      } catch (e) {
        this.handlerFailed(e);
        continue;
      }
      if (raw === undefined || raw === false) continue;
      if (Array.isArray(raw) && raw.length <= SYNC_ANSWERS) {
        if (msg.kind === 'request') this.answerAll(replySock, msg.id, inbound, raw as Term[]);
        continue;
      }
      return this.dispatchAsync(msg, from, replySock, matches.slice(i), raw);
    }
    return undefined;
  }

  private inboundOf(msg: Exclude<WireMessage, { kind: 'reply' }>, bindings: Bindings, from: Address): Inbound {
    return { kind: msg.kind, term: msg.term, bindings, from, scope: this.def.name };
  }

  /** Reply with each solution that is an instance of the request (sends are issued in order, now). */
  private answerAll(sock: DatagramSocket, id: Term, inbound: Inbound, sols: readonly Term[]): void {
    const n = Math.min(sols.length, this.config.maxSolutions ?? 1000);
    for (let i = 0; i < n; i++) {
      const answer = replyTerm(inbound, sols[i]!);
      if (answer !== undefined) void this.reply(sock, id, answer, inbound.from);
    }
  }

  private handlerFailed(e: unknown): void {
    // safely/1: report and go on with the next listener.
    this.counters.handlerErrors++;
    this.report(e, 'handler');
  }

  /** dispatch, from the listener whose answer is not immediate (`first`: its raw answer) on. */
  private async dispatchAsync(
    msg: Exclude<WireMessage, { kind: 'reply' }>, from: Address, replySock: DatagramSocket,
    matches: readonly { entry: { handler: Handler }; bindings: Bindings }[], first: ReturnType<Handler>,
  ): Promise<void> {
    const limits = { maxSolutions: this.config.maxSolutions ?? 1000 };
    for (let i = 0; i < matches.length; i++) {
      if (this.isClosed) return;
      const { entry, bindings } = matches[i]!;
      const inbound = this.inboundOf(msg, bindings, from);
      try {
        let raw = i === 0 ? first : entry.handler(inbound);
        if (isPromise(raw)) raw = await raw;
        if (Array.isArray(raw)) {
          if (msg.kind === 'send') continue;
          const n = Math.min(raw.length, limits.maxSolutions);
          for (let j = 0; j < n; j++) {
            if (this.isClosed) return;
            const answer = replyTerm(inbound, raw[j] as Term | RawReply);
            if (answer !== undefined) await this.reply(replySock, msg.id, answer, from);
            if (j % 64 === 63) await new Promise<void>((r) => setImmediate(r)); // as solutionsOf: no starving
          }
          continue;
        }
        const done = raw;
        const sols = solutionsOf(() => done, inbound, limits);
        if (msg.kind === 'send') {
          await sols.next(); // broadcast/1: once, whatever the outcome
          await sols.return(undefined);
          continue;
        }
        for await (const answer of sols) {
          if (this.isClosed) return;
          await this.reply(replySock, msg.id, answer, from);
        }
      } catch (e) {
        this.handlerFailed(e);
      }
    }
  }

  private async reply(sock: DatagramSocket, id: Term, term: Term, to: Address): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = this.encode({ kind: 'reply', id, term });
    } catch (e) {
      this.counters.sendErrors++;
      this.report(e, 'reply');
      return;
    }
    try {
      await this.sendBytes(sock, bytes, to);
      this.counters.repliesSent++;
    } catch (e) {
      this.report(e, 'reply');
    }
  }

  /** unicast_out_of_scope_request/3. */
  private async joinRequest(hook: NonNullable<TransportConfig['joinHook']>, msg: WireMessage, from: Address): Promise<void> {
    if (msg.kind === 'reply') return;
    const r = await hook(from, msg.term, this as UnicastTransport); // join hooks exist for unicast scopes only
    if (r === undefined || r === false) return void this.counters.outOfScope++;
    this.counters.joined++;
    if (msg.kind !== 'request' || this.isClosed) return;
    const inbound: Inbound = { kind: 'request', term: msg.term, bindings: new Map(), from, scope: this.def.name };
    for await (const answer of solutionsOf(() => r, inbound, { maxSolutions: 1 })) {
      await this.reply(this.publicSock!, msg.id, answer, from);
    }
  }

  private readonly reportSend = (e: unknown): void => this.report(e, 'send');

  private report(e: unknown, context: string): void {
    try {
      this.config.onError?.(e, context);
    } catch {
      // A failing error reporter must not take the transport down.
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.requests.closeAll();
    await Promise.all([this.publicSock?.close(), this.privateSock?.close()]);
  }
}
